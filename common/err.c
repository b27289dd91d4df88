/* Error value + message: see err.h. */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
        if (!e)
                return code;
        free(e->msg);
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&e->msg, fmt, ap) < 0)
                abort();
        va_end(ap);
        e->code = code;
        return code;
}

void err_clear(struct err *e)
{
        free(e->msg);
        e->msg = NULL;
        e->code = 0;
}

const char *err_msg(const struct err *e)
{
        if (e->msg)
                return e->msg;
        return e->code ? strerror(-e->code) : "no error";
}
