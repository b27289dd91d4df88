/* Aborting allocators: see xalloc.h. */
#include "common/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
        fprintf(stderr, "level=crit event=out_of_memory bytes=%zu\n", n);
        abort();
}

void *xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                oom(n);
        return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
        void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
        if (!p)
                oom(nmemb * size);
        return p;
}

void *xrealloc(void *p, size_t n)
{
        void *q = realloc(p, n ? n : 1);
        if (!q)
                oom(n);
        return q;
}

void *xgrow(void *p, size_t need, size_t *alloc, size_t size)
{
        if (need <= *alloc)
                return p;
        size_t n = *alloc ? *alloc : 8;
        while (n < need)
                n = n * 3 / 2 + 8;
        if (size && n > (size_t)-1 / size)
                oom((size_t)-1);
        p = xrealloc(p, n * size);
        *alloc = n;
        return p;
}

char *xstrdup(const char *s)
{
        char *p = strdup(s);
        if (!p)
                oom(strlen(s));
        return p;
}

char *xstrndup(const char *s, size_t n)
{
        char *p = strndup(s, n);
        if (!p)
                oom(n);
        return p;
}

char *xstrdup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

char *xasprintf(const char *fmt, ...)
{
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                oom(0);
        return s;
}
