// The emulated NVRTC (built as libnvrtc.so.12): compiles a kernels/*.cu source as host C++ with clang
// (HEADPURSUIT_EMULATOR_CXX, default clang++-19), after kernel-prelude.h, into a shared library, and hands that
// library out as the "CUBIN" the emulated driver loads (driver.c). Only -D options are used; the rest
// (--gpu-architecture, --std) are NVRTC's own. For every `__global__ void NAME(` left after preprocessing it appends
// an exported emu_kernel_NAME(void** params) that calls NAME with the launch's parameters.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

extern char** environ;

enum { SUCCESS = 0, OUT_OF_MEMORY = 1, PROGRAM_CREATION_FAILURE = 2, INVALID_INPUT = 3, INVALID_PROGRAM = 4, COMPILATION = 6 };

typedef struct
{
    char* source;
    char* name;
    char* log;       // the compiler's messages
    char* image;     // "HPEMU-SO", size (8 bytes), the shared library
    size_t image_size;
} program;

EXPORT int nvrtcVersion(int* major, int* minor)
{
    *major = 0;   // not a real NVRTC: its kernel cache entries never match a real one's
    *minor = 1;
    return SUCCESS;
}

EXPORT int nvrtcCreateProgram(program** result, const char* source, const char* name, int headers, const char* const* header_sources,
                              const char* const* header_names)
{
    (void)header_sources; (void)header_names;
    if (!source || headers != 0) return INVALID_INPUT;
    program* p = calloc(1, sizeof *p);
    if (!p) return OUT_OF_MEMORY;
    p->source = strdup(source);
    p->name = strdup(name ? name : "kernel.cu");
    *result = p;
    return SUCCESS;
}

EXPORT int nvrtcDestroyProgram(program** p)
{
    if (!p || !*p) return INVALID_PROGRAM;
    free((*p)->source); free((*p)->name); free((*p)->log); free((*p)->image);
    free(*p);
    *p = NULL;
    return SUCCESS;
}

static char* read_file(const char* path, size_t* size)
{
    FILE* f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char* bytes = malloc((size_t)n + 1);
    if (bytes && fread(bytes, 1, (size_t)n, f) != (size_t)n) { free(bytes); bytes = NULL; }
    fclose(f);
    if (bytes) { bytes[n] = 0; *size = (size_t)n; }
    return bytes;
}

// The source with a launcher per kernel appended.
static int write_source(const char* path, const char* source)
{
    FILE* f = fopen(path, "w");
    if (!f) return 0;
    fputs(source, f);
    fputs("\n// Appended by the CUDA emulator's NVRTC: one launcher per kernel.\n", f);
    const char* marker = "__global__ void ";
    for (const char* at = strstr(source, marker); at; at = strstr(at + 1, marker))
    {
        const char* name = at + strlen(marker);
        int length = 0;
        while (name[length] == '_' || (name[length] >= 'a' && name[length] <= 'z') || (name[length] >= 'A' && name[length] <= 'Z') ||
               (name[length] >= '0' && name[length] <= '9'))
            length++;
        fprintf(f, "extern \"C\" EMU_EXPORT void emu_kernel_%.*s(void** params) { emu_call(%.*s, params); }\n", length, name, length, name);
    }
    return fclose(f) == 0;
}

// The folder of this library, which also holds emulator.h and kernel-prelude.h.
static void own_folder(char* folder, size_t size)
{
    Dl_info info;
    dladdr((void*)own_folder, &info);
    snprintf(folder, size, "%s", info.dli_fname);
    char* slash = strrchr(folder, '/');
    if (slash) *slash = 0; else snprintf(folder, size, ".");
}

// Runs argv (argv[0] found on PATH) with its output appended to log_path; its exit status, or -1 if it could not start.
static int run(const char* const* argv, const char* log_path)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 2, 1);
    pid_t pid;
    int status = -1;
    if (posix_spawnp(&pid, argv[0], &actions, NULL, (char* const*)argv, environ) == 0) waitpid(pid, &status, 0);
    else
    {
        FILE* log = fopen(log_path, "a");
        if (log) { fprintf(log, "CUDA emulator: could not run the compiler '%s' (set HEADPURSUIT_EMULATOR_CXX)\n", argv[0]); fclose(log); }
    }
    posix_spawn_file_actions_destroy(&actions);
    return status;
}

// Two steps: the preprocessor with the -D options (so that the launchers are made only for the kernels that remain),
// then the compilation of what remains plus the launchers, after kernel-prelude.h.
EXPORT int nvrtcCompileProgram(program* p, int option_count, const char* const* options)
{
    if (!p) return INVALID_PROGRAM;
    char dir[] = "/tmp/headpursuit-emu-nvrtc-XXXXXX";
    if (!mkdtemp(dir)) return OUT_OF_MEMORY;
    char raw_path[96], pre_path[96], source_path[96], library_path[96], log_path[96], prelude[4096], include[4200], folder[4000];
    snprintf(raw_path, sizeof raw_path, "%s/raw.cu", dir);
    snprintf(pre_path, sizeof pre_path, "%s/pre.cu", dir);
    snprintf(source_path, sizeof source_path, "%s/kernel.cu", dir);
    snprintf(library_path, sizeof library_path, "%s/kernel.so", dir);
    snprintf(log_path, sizeof log_path, "%s/log.txt", dir);
    own_folder(folder, sizeof folder);
    snprintf(prelude, sizeof prelude, "%s/kernel-prelude.h", folder);
    snprintf(include, sizeof include, "-I%s", folder);
    const char* compiler = getenv("HEADPURSUIT_EMULATOR_CXX");
    if (!compiler || !*compiler) compiler = "clang++-19";

    const char* defines[64];
    int define_count = 0;
    for (int i = 0; i < option_count && define_count < 64; i++)
        if (strncmp(options[i], "-D", 2) == 0) defines[define_count++] = options[i];
    const char* argv[96];
    int argc = 0;
    const char* preprocess[] = { compiler, "-x", "c++", "-std=c++17", "-E", "-P", "-DHEADPURSUIT_CUDA_EMULATOR" };
    for (size_t i = 0; i < sizeof preprocess / sizeof *preprocess; i++) argv[argc++] = preprocess[i];
    for (int i = 0; i < define_count; i++) argv[argc++] = defines[i];
    argv[argc++] = raw_path; argv[argc++] = "-o"; argv[argc++] = pre_path; argv[argc] = NULL;

    int status = COMPILATION;
    size_t size = 0;
    FILE* raw = fopen(raw_path, "w");
    int written = raw && fputs(p->source, raw) >= 0;
    if (raw) written = fclose(raw) == 0 && written;
    char* preprocessed = written && run(argv, log_path) == 0 ? read_file(pre_path, &size) : NULL;
    if (preprocessed && write_source(source_path, preprocessed))
    {
        argc = 0;
        const char* compile[] = { compiler, "-x", "c++", "-std=c++17", "-nostdinc++", "-O1", "-fPIC", "-shared", "-Wl,-Bsymbolic",
                                  "-fno-exceptions", include, "-include", prelude };
        for (size_t i = 0; i < sizeof compile / sizeof *compile; i++) argv[argc++] = compile[i];
        argv[argc++] = source_path; argv[argc++] = "-o"; argv[argc++] = library_path; argv[argc++] = "-lm"; argv[argc] = NULL;
        size_t library_size = 0;
        char* library = run(argv, log_path) == 0 ? read_file(library_path, &library_size) : NULL;
        if (library)
        {
            free(p->image);
            p->image_size = 16 + library_size;
            p->image = malloc(p->image_size);
            uint64_t bytes = library_size;
            memcpy(p->image, "HPEMU-SO", 8);
            memcpy(p->image + 8, &bytes, 8);
            memcpy(p->image + 16, library, library_size);
            free(library);
            status = SUCCESS;
        }
    }
    free(preprocessed);
    free(p->log);
    p->log = read_file(log_path, &size);
    unlink(raw_path); unlink(pre_path); unlink(source_path); unlink(library_path); unlink(log_path); rmdir(dir);
    return status;
}

EXPORT int nvrtcGetCUBINSize(program* p, size_t* size)
{
    if (!p || !p->image) return INVALID_PROGRAM;
    *size = p->image_size;
    return SUCCESS;
}

EXPORT int nvrtcGetCUBIN(program* p, char* cubin)
{
    if (!p || !p->image) return INVALID_PROGRAM;
    memcpy(cubin, p->image, p->image_size);
    return SUCCESS;
}

EXPORT int nvrtcGetProgramLogSize(program* p, size_t* size)
{
    if (!p) return INVALID_PROGRAM;
    *size = (p->log ? strlen(p->log) : 0) + 1;
    return SUCCESS;
}

EXPORT int nvrtcGetProgramLog(program* p, char* log)
{
    if (!p) return INVALID_PROGRAM;
    strcpy(log, p->log ? p->log : "");
    return SUCCESS;
}
