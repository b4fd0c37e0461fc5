namespace HeadPursuit.Runtime.Vision;

/// <summary>
/// An image as a vision-language model's processor prepares it (pixel values, and whatever else its tower needs: crops,
/// grid sizes, the original size). Each family derives its own; <see cref="Source"/> names the image in errors.
/// </summary>
internal abstract record PreparedImage(string Source);
