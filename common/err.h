/*
 * struct err: a negative errno plus the human sentence explaining it. Library-level code fills
 * it where a caller may show the text to a user (config errors, validation, remote failures);
 * the errno alone decides control flow.
 *
 *   struct err e = ERR_INIT;
 *   r = conf_load_file(path, &c, &e);
 *   if (r < 0) { fprintf(stderr, "%s\n", e.msg); err_clear(&e); }
 */
#ifndef MC_ERR_H
#define MC_ERR_H

struct err {
        int code;  /* negative errno, 0 when unset */
        char *msg; /* owned; NULL when unset */
};
#define ERR_INIT                                                                                   \
        {                                                                                          \
                0, NULL                                                                            \
        }

/* Sets code and a formatted message (replacing any earlier one); returns code. NULL e is ok. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Frees the message and resets. */
void err_clear(struct err *e);
/* The message, or strerror(-code) when no message was set. */
const char *err_msg(const struct err *e);

static inline void err_clearp(struct err *e)
{
        err_clear(e);
}
#define _cleanup_err_ __attribute__((cleanup(err_clearp)))

#endif
