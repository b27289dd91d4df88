/* Unit test (no server): the migrations compiled into mc_db are exactly the .sql files in
 * db/migrations, in version order, named after their files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>

#include "common/common.h"
#include "db/migrations.h"

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s", path);
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                strbuf_add(&sb, buf, n);
        return strbuf_detach(&sb, NULL);
}

static void test_embedded_match_files(void **state)
{
        (void)state;
        const char *src = getenv("MC_SOURCE_DIR");
        assert_non_null(src);
        _cleanup_free_ char *dir = xasprintf("%s/db/migrations", src);
        DIR *d = opendir(dir);
        assert_non_null(d);
        char *names[256];
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)) && n < ARRAY_SIZE(names))
                if (str_ends_with(de->d_name, ".sql"))
                        names[n++] = xstrdup(de->d_name);
        closedir(d);
        qsort(names, n, sizeof(names[0]), cmp_str);
        assert_int_equal(n, magnum_migrations_count);
        assert_true(n >= 2);
        for (size_t i = 0; i < n; i++) {
                const struct db_migration *m = &magnum_migrations[i];
                _cleanup_free_ char *want_name = xstrndup(names[i], strlen(names[i]) - 4);
                assert_string_equal(m->name, want_name);
                long long v;
                _cleanup_free_ char *num = xstrndup(names[i], strcspn(names[i], "_"));
                assert_int_equal(str_to_ll(num, 1, 9999, &v), 0);
                assert_int_equal(m->version, (int)v);
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);
                _cleanup_free_ char *text = read_file(path);
                assert_string_equal(m->sql, text);
                if (i > 0)
                        assert_true(m->version > magnum_migrations[i - 1].version);
                free(names[i]);
        }
        assert_int_equal(magnum_db_latest_version(), magnum_migrations[n - 1].version);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_embedded_match_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
