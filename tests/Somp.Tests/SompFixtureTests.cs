namespace HeadPursuit.Somp.Tests;

/// <summary>SompReference and SompFast against the float64 expectations of tests/fixtures/somp.</summary>
public class SompFixtureTests
{
    public static TheoryData<string> PlainCases => new() { "random_centered", "random_raw", "planted" };

    [Theory, MemberData(nameof(PlainCases))]
    public void ReferenceMatchesFixture(string name)
    {
        var c = SompFixtureCase.Load(name);
        var r = SompReference.Run(SompFixtureCase.ToDouble(c.H), c.N, c.D, SompFixtureCase.ToDouble(c.Dictionary), c.V, c.Iterations, c.Options);
        Check(c, r);
    }

    [Theory, MemberData(nameof(PlainCases))]
    public void FastMatchesFixture(string name)
    {
        var c = SompFixtureCase.Load(name);
        var r = SompFast.Run(c.H, c.N, c.D, new AtomSet(c.Dictionary, c.V, c.D), c.Iterations, c.Options);
        Check(c, r);
    }

    [Fact]
    public void PlantedAtomsComeFirst()
    {
        var c = SompFixtureCase.Load("planted");
        var r = SompFast.Run(c.H, c.N, c.D, new AtomSet(c.Dictionary, c.V, c.D), c.Iterations, c.Options);
        Assert.Equal(c.PlantedAtoms.Order(), r.Selected.Take(c.PlantedAtoms.Length).Order());
    }

    static void Check(SompFixtureCase c, SompResult r)
    {
        Assert.Equal(c.Selected, r.Selected);
        Close.All(c.Evr, r.Evr, 1e-9, 0, c.Name + ".evr");
        double maxCoef = c.Coef.Max(Math.Abs);
        Close.All(c.Coef, r.Coef, 1e-9, 1e-9 * maxCoef, c.Name + ".coef");
    }
}
