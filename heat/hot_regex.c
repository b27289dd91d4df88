/*
 * hot_regex: pattern -> small bytecode, run by a recursive backtracking VM (Pike's
 * "backtracking VM" layout). SPLIT x,y tries x first, which gives Python's leftmost-priority
 * match. Empty-loop protection: a loop body that consumed nothing does not iterate again.
 * A step budget bounds catastrophic patterns.
 */
#include "common/common.h"

#include <ctype.h>

#include "heat/hot_regex.h"

enum op {
        OP_CHAR,
        OP_ANY,
        OP_CLASS,
        OP_SPLIT,
        OP_JMP,
        OP_MATCH,
        OP_BOL,
        OP_EOL,
        OP_EOS,
        OP_WORDB,
        OP_NWORDB,
        OP_LOOK,
        OP_NLOOK,
        OP_MARK,
        OP_PROGRESS,
};

struct range {
        unsigned lo, hi;
};

struct cls {
        bool neg;
        unsigned flags; /* 1 \d, 2 \w, 4 \s, 8 \D, 16 \W, 32 \S */
        struct range *r;
        size_t n, alloc;
};

struct inst {
        enum op op;
        unsigned c; /* OP_CHAR */
        int x, y;   /* jump targets / OP_LOOK: sub-program end; OP_MARK/PROGRESS: slot */
        int cls;    /* OP_CLASS index */
};

struct hot_regex {
        struct inst *code;
        size_t n, alloc;
        struct cls *classes;
        size_t ncls, alloc_cls;
        int nslots;
};

/* ---- parser: recursive descent emitting code directly ---- */

struct parser {
        struct hot_regex *re;
        const char *p;
        char *err;
        int depth;
};

static int emit(struct hot_regex *re, struct inst in)
{
        re->code = xgrow(re->code, re->n + 1, &re->alloc, sizeof(*re->code));
        re->code[re->n] = in;
        return (int)re->n++;
}

static int perr(struct parser *P, const char *msg)
{
        if (!P->err)
                P->err = xstrdup(msg);
        return -EINVAL;
}

static unsigned next_cp(const char **pp)
{
        const unsigned char *p = (const unsigned char *)*pp;
        unsigned c = *p++;
        int n = 0;

        if (c >= 0xf0) {
                c &= 0x07;
                n = 3;
        } else if (c >= 0xe0) {
                c &= 0x0f;
                n = 2;
        } else if (c >= 0xc0) {
                c &= 0x1f;
                n = 1;
        }
        while (n-- > 0 && (*p & 0xc0) == 0x80)
                c = (c << 6) | (*p++ & 0x3f);
        *pp = (const char *)p;
        return c;
}

static void cls_add(struct cls *c, unsigned lo, unsigned hi)
{
        c->r = xgrow(c->r, c->n + 1, &c->alloc, sizeof(*c->r));
        c->r[c->n++] = (struct range){lo, hi};
}

static int new_class(struct hot_regex *re)
{
        re->classes = xgrow(re->classes, re->ncls + 1, &re->alloc_cls, sizeof(*re->classes));
        memset(&re->classes[re->ncls], 0, sizeof(re->classes[0]));
        return (int)re->ncls++;
}

static bool is_word(unsigned c)
{
        return c == '_' || (c < 0x80 && isalnum((int)c)) || c >= 0xaa;
}

static bool is_space(unsigned c)
{
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x1c || c == 0x1d || c == 0x1e ||
               c == 0x1f || c == 0x85 || c == 0xa0;
}

static bool cls_match(const struct cls *c, unsigned ch)
{
        bool in = false;

        if (((c->flags & 1) && ch < 0x80 && isdigit((int)ch)) || ((c->flags & 2) && is_word(ch)) ||
            ((c->flags & 4) && is_space(ch)) ||
            ((c->flags & 8) && !(ch < 0x80 && isdigit((int)ch))) ||
            ((c->flags & 16) && !is_word(ch)) || ((c->flags & 32) && !is_space(ch)))
                in = true;
        for (size_t i = 0; !in && i < c->n; i++)
                if (ch >= c->r[i].lo && ch <= c->r[i].hi)
                        in = true;
        return in != c->neg;
}

/* Parses an escape after '\'; returns 1 and sets *cp for a literal, 2 with *flags for a
 * class shorthand, 3 for an assertion (*cp = op). */
static int parse_escape(struct parser *P, unsigned *cp, unsigned *flags, bool in_class)
{
        char c = *P->p;

        if (!c)
                return perr(P, "bad escape (end of pattern)");
        P->p++;
        switch (c) {
        case 'd':
                *flags = 1;
                return 2;
        case 'w':
                *flags = 2;
                return 2;
        case 's':
                *flags = 4;
                return 2;
        case 'D':
                *flags = 8;
                return 2;
        case 'W':
                *flags = 16;
                return 2;
        case 'S':
                *flags = 32;
                return 2;
        case 'n':
                *cp = '\n';
                return 1;
        case 't':
                *cp = '\t';
                return 1;
        case 'r':
                *cp = '\r';
                return 1;
        case 'f':
                *cp = '\f';
                return 1;
        case 'v':
                *cp = '\v';
                return 1;
        case 'a':
                *cp = '\a';
                return 1;
        case '0':
                *cp = 0;
                return 1;
        case 'x': {
                unsigned v = 0;
                for (int i = 0; i < 2; i++) {
                        if (!isxdigit((unsigned char)*P->p))
                                return perr(P, "incomplete escape \\x");
                        v = v * 16 +
                            (unsigned)(isdigit((unsigned char)*P->p)
                                               ? *P->p - '0'
                                               : (tolower((unsigned char)*P->p) - 'a' + 10));
                        P->p++;
                }
                *cp = v;
                return 1;
        }
        case 'b':
                if (in_class) {
                        *cp = '\b';
                        return 1;
                }
                *cp = OP_WORDB;
                return 3;
        case 'B':
                *cp = OP_NWORDB;
                return 3;
        case 'A':
                *cp = OP_BOL;
                return 3;
        case 'Z':
                *cp = OP_EOS;
                return 3;
        default:
                if (isalnum((unsigned char)c))
                        return perr(P, "unsupported escape in pattern");
                P->p--;
                *cp = next_cp(&P->p);
                return 1;
        }
}

static int parse_class(struct parser *P)
{
        int ci = new_class(P->re);
        struct cls *c;
        bool first = true;

        if (*P->p == '^') {
                P->re->classes[ci].neg = true;
                P->p++;
        }
        for (;;) {
                unsigned lo, hi, flags = 0;
                int k;

                c = &P->re->classes[ci];
                if (!*P->p)
                        return perr(P, "unterminated character set");
                if (*P->p == ']' && !first) {
                        P->p++;
                        break;
                }
                first = false;
                if (*P->p == '\\') {
                        P->p++;
                        k = parse_escape(P, &lo, &flags, true);
                        if (k < 0)
                                return k;
                        if (k == 2) {
                                c->flags |= flags;
                                continue;
                        }
                } else {
                        lo = next_cp(&P->p);
                }
                hi = lo;
                if (P->p[0] == '-' && P->p[1] && P->p[1] != ']') {
                        P->p++;
                        if (*P->p == '\\') {
                                P->p++;
                                k = parse_escape(P, &hi, &flags, true);
                                if (k < 0)
                                        return k;
                                if (k != 1)
                                        return perr(P, "bad character range");
                        } else {
                                hi = next_cp(&P->p);
                        }
                        if (hi < lo)
                                return perr(P, "bad character range");
                }
                cls_add(c, lo, hi);
        }
        return emit(P->re, (struct inst){.op = OP_CLASS, .cls = ci});
}

static int parse_alt(struct parser *P);

/* Appends a saved body that was compiled at position `orig`, relocating its jumps. */
static void append_body(struct hot_regex *re, const struct inst *body, int len, int orig)
{
        int shift = (int)re->n - orig;

        for (int i = 0; i < len; i++) {
                struct inst in = body[i];
                if (in.op == OP_SPLIT || in.op == OP_JMP || in.op == OP_LOOK || in.op == OP_NLOOK) {
                        in.x += shift;
                        if (in.op == OP_SPLIT)
                                in.y += shift;
                }
                emit(re, in);
        }
}

static void emit_star(struct hot_regex *re, int start, bool lazy)
{
        /* code[start..n) is the body; wrap: L1: SPLIT L2,L3; L2: MARK s; body; PROGRESS s;
         * JMP L1; L3: */
        int body_len = (int)re->n - start;
        int slot = re->nslots++;
        struct inst *tmp = xnew(struct inst, (size_t)body_len + 1);

        memcpy(tmp, re->code + start, sizeof(*tmp) * (size_t)body_len);
        re->n = (size_t)start;
        emit(re, (struct inst){.op = OP_SPLIT});
        emit(re, (struct inst){.op = OP_MARK, .x = slot});
        for (int i = 0; i < body_len; i++) {
                struct inst in = tmp[i];
                if (in.op == OP_SPLIT || in.op == OP_JMP || in.op == OP_LOOK || in.op == OP_NLOOK) {
                        in.x += 2;
                        if (in.op == OP_SPLIT)
                                in.y += 2;
                }
                emit(re, in);
        }
        free(tmp);
        emit(re, (struct inst){.op = OP_PROGRESS, .x = slot});
        emit(re, (struct inst){.op = OP_JMP, .x = start});
        re->code[start].x = lazy ? (int)re->n : start + 1;
        re->code[start].y = lazy ? start + 1 : (int)re->n;
}

static void emit_opt(struct hot_regex *re, int start, bool lazy)
{
        int body_len = (int)re->n - start;
        struct inst *tmp = xnew(struct inst, (size_t)body_len + 1);

        memcpy(tmp, re->code + start, sizeof(*tmp) * (size_t)body_len);
        re->n = (size_t)start;
        emit(re, (struct inst){.op = OP_SPLIT});
        for (int i = 0; i < body_len; i++) {
                struct inst in = tmp[i];
                if (in.op == OP_SPLIT || in.op == OP_JMP || in.op == OP_LOOK || in.op == OP_NLOOK) {
                        in.x += 1;
                        if (in.op == OP_SPLIT)
                                in.y += 1;
                }
                emit(re, in);
        }
        free(tmp);
        re->code[start].x = lazy ? (int)re->n : start + 1;
        re->code[start].y = lazy ? start + 1 : (int)re->n;
}

static int parse_count(struct parser *P, int *min, int *max)
{
        const char *p = P->p + 1;
        long a = 0, b;

        if (!isdigit((unsigned char)*p) && *p != ',')
                return 0; /* a literal '{' */
        while (isdigit((unsigned char)*p))
                a = a * 10 + (*p++ - '0');
        b = a;
        if (*p == ',') {
                p++;
                if (isdigit((unsigned char)*p)) {
                        b = 0;
                        while (isdigit((unsigned char)*p))
                                b = b * 10 + (*p++ - '0');
                } else {
                        b = -1;
                }
        }
        if (*p != '}')
                return 0;
        if (a > 1000 || b > 1000)
                return perr(P, "repetition count too large (limit 1000)");
        if (b >= 0 && b < a)
                return perr(P, "min repeat greater than max repeat");
        P->p = p + 1;
        *min = (int)a;
        *max = (int)b;
        return 1;
}

static int parse_atom(struct parser *P)
{
        unsigned cp, flags = 0;
        int k, start = (int)P->re->n;

        switch (*P->p) {
        case '(': {
                int look = 0;
                P->p++;
                if (P->p[0] == '?') {
                        if (P->p[1] == ':') {
                                P->p += 2;
                        } else if (P->p[1] == '=' || P->p[1] == '!') {
                                look = P->p[1] == '=' ? OP_LOOK : OP_NLOOK;
                                P->p += 2;
                        } else if (P->p[1] == 'P' && P->p[2] == '<') {
                                const char *e = strchr(P->p, '>');
                                if (!e)
                                        return perr(P, "missing >, unterminated name");
                                P->p = e + 1;
                        } else {
                                return perr(P, "unsupported group syntax in pattern");
                        }
                }
                if (look) {
                        int at = emit(P->re, (struct inst){.op = (enum op)look});
                        if (++P->depth > 100)
                                return perr(P, "pattern nested too deeply");
                        k = parse_alt(P);
                        P->depth--;
                        if (k < 0)
                                return k;
                        emit(P->re, (struct inst){.op = OP_MATCH});
                        P->re->code[at].x = (int)P->re->n;
                } else {
                        if (++P->depth > 100)
                                return perr(P, "pattern nested too deeply");
                        k = parse_alt(P);
                        P->depth--;
                        if (k < 0)
                                return k;
                }
                if (*P->p != ')')
                        return perr(P, "missing ), unterminated subpattern");
                P->p++;
                return look ? 2 : 1;
        }
        case '[':
                P->p++;
                k = parse_class(P);
                return k < 0 ? k : 1;
        case '.': {
                P->p++;
                emit(P->re, (struct inst){.op = OP_ANY});
                return 1;
        }
        case '^':
                P->p++;
                emit(P->re, (struct inst){.op = OP_BOL});
                return 2;
        case '$':
                P->p++;
                emit(P->re, (struct inst){.op = OP_EOL});
                return 2;
        case '\\':
                P->p++;
                k = parse_escape(P, &cp, &flags, false);
                if (k < 0)
                        return k;
                if (k == 1) {
                        emit(P->re, (struct inst){.op = OP_CHAR, .c = cp});
                } else if (k == 2) {
                        int ci = new_class(P->re);
                        P->re->classes[ci].flags = flags;
                        emit(P->re, (struct inst){.op = OP_CLASS, .cls = ci});
                } else {
                        emit(P->re, (struct inst){.op = (enum op)cp});
                        return 2;
                }
                return 1;
        case '*':
        case '+':
        case '?':
                return perr(P, "nothing to repeat");
        default:
                cp = next_cp(&P->p);
                emit(P->re, (struct inst){.op = OP_CHAR, .c = cp});
                (void)start;
                return 1;
        }
}

static int parse_seq(struct parser *P)
{
        while (*P->p && *P->p != '|' && *P->p != ')') {
                int start = (int)P->re->n, k, min, max;
                bool lazy;

                k = parse_atom(P);
                if (k < 0)
                        return k;
                for (;;) {
                        char q = *P->p;
                        if (q == '{') {
                                int c = parse_count(P, &min, &max);
                                if (c < 0)
                                        return c;
                                if (c == 0)
                                        break;
                        } else if (q == '*') {
                                min = 0, max = -1, P->p++;
                        } else if (q == '+') {
                                min = 1, max = -1, P->p++;
                        } else if (q == '?') {
                                min = 0, max = 1, P->p++;
                        } else {
                                break;
                        }
                        if (k == 2)
                                return perr(P, "nothing to repeat");
                        lazy = *P->p == '?';
                        if (lazy)
                                P->p++;
                        if (*P->p == '*' || *P->p == '+' || (*P->p == '?' && !lazy))
                                return perr(P, "multiple repeat");
                        {
                                int end = (int)P->re->n, body = end - start;
                                struct inst *saved;
                                if ((size_t)body * (size_t)(min + (max > 0 ? max : 1)) > 20000)
                                        return perr(P, "pattern too large");
                                saved = xnew(struct inst, (size_t)body + 1);
                                memcpy(saved, P->re->code + start, sizeof(*saved) * (size_t)body);
                                P->re->n = (size_t)start;
                                /* mandatory copies */
                                for (int i = 0; i < min; i++)
                                        append_body(P->re, saved, body, start);
                                if (max < 0) {
                                        int s2 = (int)P->re->n;
                                        append_body(P->re, saved, body, start);
                                        emit_star(P->re, s2, lazy);
                                } else {
                                        /* optional copies, each its own x? (same language and
                                         * greedy/lazy priority as Python's x{m,n}) */
                                        for (int i = min; i < max; i++) {
                                                int s3 = (int)P->re->n;
                                                append_body(P->re, saved, body, start);
                                                emit_opt(P->re, s3, lazy);
                                        }
                                }
                                free(saved);
                        }
                        k = 1;
                }
        }
        return 0;
}

static int parse_alt(struct parser *P)
{
        int start = (int)P->re->n, r;

        r = parse_seq(P);
        if (r < 0)
                return r;
        while (*P->p == '|') {
                int body_len = (int)P->re->n - start, jmp, split;
                struct inst *tmp = xnew(struct inst, (size_t)body_len + 1);

                P->p++;
                memcpy(tmp, P->re->code + start, sizeof(*tmp) * (size_t)body_len);
                P->re->n = (size_t)start;
                split = emit(P->re, (struct inst){.op = OP_SPLIT});
                for (int i = 0; i < body_len; i++) {
                        struct inst in = tmp[i];
                        if (in.op == OP_SPLIT || in.op == OP_JMP || in.op == OP_LOOK ||
                            in.op == OP_NLOOK) {
                                in.x += 1;
                                if (in.op == OP_SPLIT)
                                        in.y += 1;
                        }
                        emit(P->re, in);
                }
                free(tmp);
                jmp = emit(P->re, (struct inst){.op = OP_JMP});
                P->re->code[split].x = split + 1;
                P->re->code[split].y = (int)P->re->n;
                r = parse_seq(P);
                if (r < 0)
                        return r;
                P->re->code[jmp].x = (int)P->re->n;
        }
        return 0;
}

void hot_regex_free(struct hot_regex *re)
{
        if (!re)
                return;
        for (size_t i = 0; i < re->ncls; i++)
                free(re->classes[i].r);
        free(re->classes);
        free(re->code);
        free(re);
}

int hot_regex_compile(const char *pattern, struct hot_regex **ret, char **ret_msg)
{
        struct hot_regex *re = xnew(struct hot_regex, 1);
        struct parser P = {.re = re, .p = pattern};
        int r;

        r = parse_alt(&P);
        if (r >= 0 && *P.p == ')')
                r = perr(&P, "unbalanced parenthesis");
        if (r < 0) {
                if (ret_msg)
                        *ret_msg = P.err;
                else
                        free(P.err);
                hot_regex_free(re);
                return -EINVAL;
        }
        emit(re, (struct inst){.op = OP_MATCH});
        *ret = re;
        return 0;
}

/* ---- VM ---- */

struct vm {
        const struct hot_regex *re;
        const char *s;
        size_t len;
        size_t *slots;
        long steps;
        int depth;
        bool blown;
};

static unsigned cp_at(const struct vm *V, size_t i, size_t *next)
{
        const char *p = V->s + i;
        unsigned c = next_cp(&p);
        *next = (size_t)(p - V->s);
        if (*next > V->len)
                *next = V->len;
        return c;
}

static bool word_at(const struct vm *V, size_t i)
{
        size_t n;
        return i < V->len && is_word(cp_at(V, i, &n));
}

static bool word_before(const struct vm *V, size_t i)
{
        size_t j = i;
        if (i == 0)
                return false;
        do
                j--;
        while (j > 0 && ((unsigned char)V->s[j] & 0xc0) == 0x80);
        return word_at(V, j);
}

static bool run(struct vm *V, int pc, size_t sp, size_t *end)
{
        if (++V->depth > 20000) {
                V->blown = true;
                V->depth--;
                return false;
        }
        for (;;) {
                const struct inst *in = &V->re->code[pc];
                size_t nx;

                if (++V->steps > 2000000) {
                        V->blown = true;
                        goto fail;
                }
                switch (in->op) {
                case OP_CHAR:
                        if (sp >= V->len || cp_at(V, sp, &nx) != in->c)
                                goto fail;
                        sp = nx;
                        pc++;
                        break;
                case OP_ANY:
                        if (sp >= V->len || V->s[sp] == '\n')
                                goto fail;
                        cp_at(V, sp, &nx);
                        sp = nx;
                        pc++;
                        break;
                case OP_CLASS:
                        if (sp >= V->len || !cls_match(&V->re->classes[in->cls], cp_at(V, sp, &nx)))
                                goto fail;
                        sp = nx;
                        pc++;
                        break;
                case OP_SPLIT:
                        if (run(V, in->x, sp, end)) {
                                V->depth--;
                                return true;
                        }
                        if (V->blown)
                                goto fail;
                        pc = in->y;
                        break;
                case OP_JMP:
                        pc = in->x;
                        break;
                case OP_MATCH:
                        *end = sp;
                        V->depth--;
                        return true;
                case OP_BOL:
                        if (sp != 0)
                                goto fail;
                        pc++;
                        break;
                case OP_EOL:
                        if (!(sp == V->len || (sp + 1 == V->len && V->s[sp] == '\n')))
                                goto fail;
                        pc++;
                        break;
                case OP_EOS:
                        if (sp != V->len)
                                goto fail;
                        pc++;
                        break;
                case OP_WORDB:
                case OP_NWORDB: {
                        bool b = word_before(V, sp) != word_at(V, sp);
                        if (b != (in->op == OP_WORDB))
                                goto fail;
                        pc++;
                        break;
                }
                case OP_LOOK:
                case OP_NLOOK: {
                        size_t e;
                        bool m = run(V, pc + 1, sp, &e);
                        if (V->blown)
                                goto fail;
                        if (m != (in->op == OP_LOOK))
                                goto fail;
                        pc = in->x;
                        break;
                }
                case OP_MARK: {
                        size_t old = V->slots[in->x];
                        bool m;
                        V->slots[in->x] = sp;
                        m = run(V, pc + 1, sp, end);
                        V->slots[in->x] = old;
                        V->depth--;
                        return m;
                }
                case OP_PROGRESS:
                        if (V->slots[in->x] == sp)
                                goto fail;
                        pc++;
                        break;
                }
        }
fail:
        V->depth--;
        return false;
}

int hot_regex_match(const struct hot_regex *re, const char *s, size_t len, size_t *ret_end)
{
        struct vm V = {.re = re, .s = s, .len = len};
        size_t end = 0;
        bool m;

        V.slots = xnew(size_t, (size_t)re->nslots + 1);
        for (int i = 0; i < re->nslots; i++)
                V.slots[i] = (size_t)-1;
        m = run(&V, 0, 0, &end);
        free(V.slots);
        if (V.blown && !m)
                return -E2BIG;
        if (m && ret_end)
                *ret_end = end;
        return m ? 1 : 0;
}

bool hot_regex_fullmatch_py(const char *pattern, const char *s, size_t len, int *ret_err)
{
        struct hot_regex *re = NULL;
        size_t end = 0;
        int r;

        r = hot_regex_compile(pattern, &re, NULL);
        if (r < 0) {
                if (ret_err)
                        *ret_err = r;
                return false;
        }
        r = hot_regex_match(re, s, len, &end);
        hot_regex_free(re);
        if (ret_err)
                *ret_err = r < 0 ? r : 0;
        return r == 1 && end == len;
}
