/*
 * replay_main: runs a libFuzzer harness over files (or every file in directories) without
 * libFuzzer, so fuzz corpora replay under ctest in normal (ASan/UBSan) builds.
 */
#include "common/common.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen(path, "rb");
        struct strbuf sb = STRBUF_INIT;
        char buf[65536];
        size_t n;

        if (!f) {
                fprintf(stderr, "replay: cannot open %s\n", path);
                return -1;
        }
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                strbuf_add(&sb, buf, n);
        /* an exact-size heap copy so ASan sees reads past the end */
        {
                uint8_t *copy = xmalloc(sb.len ? sb.len : 1);
                memcpy(copy, sb.buf, sb.len);
                LLVMFuzzerTestOneInput(copy, sb.len);
                free(copy);
        }
        strbuf_release(&sb);
        return 0;
}

int main(int argc, char **argv)
{
        int files = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
                        return 1;
                }
                if (S_ISDIR(st.st_mode)) {
                        DIR *d = opendir(argv[i]);
                        struct dirent *de;
                        while (d && (de = readdir(d))) {
                                _cleanup_free_ char *p = NULL;
                                if (de->d_name[0] == '.')
                                        continue;
                                p = xasprintf("%s/%s", argv[i], de->d_name);
                                if (run_file(p) < 0)
                                        return 1;
                                files++;
                        }
                        if (d)
                                closedir(d);
                } else {
                        if (run_file(argv[i]) < 0)
                                return 1;
                        files++;
                }
        }
        printf("replayed %d inputs\n", files);
        return files > 0 ? 0 : 1;
}
