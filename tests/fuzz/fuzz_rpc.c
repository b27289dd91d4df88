/*
 * fuzz_rpc: AMQP message bodies as a conductor or a caller receives them. Every input goes
 * through rpc_decode_request and rpc_decode_reply; whatever decodes must encode again and decode
 * to the same method / args / context / result (the codec's round trip), without leaks.
 */
#include "common/common.h"

#include <stdint.h>

#include "common/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const char *body, size_t len)
{
        struct rpc_request req = {0};
        struct err e = ERR_INIT;
        if (rpc_decode_request(body, len, &req, &e) < 0) {
                err_clear(&e);
                return;
        }
        char *again = rpc_encode_request(&req);
        struct rpc_request back = {0};
        if (rpc_decode_request(again, strlen(again), &back, &e) < 0)
                abort();
        if (!streq(req.method, back.method) || !json_equal(req.args, back.args) ||
            !json_equal(req.ctx, back.ctx))
                abort();
        rpc_request_release(&back);
        rpc_request_release(&req);
        free(again);
}

static void check_reply(const char *body, size_t len)
{
        struct rpc_reply rep = {0};
        struct err e = ERR_INIT;
        if (rpc_decode_reply(body, len, &rep, &e) < 0) {
                err_clear(&e);
                return;
        }
        struct rpc_failure f = RPC_FAILURE_INIT;
        bool failed = rep.failure && rpc_failure_from_json(rep.failure, &f) == 0;
        char *again = rpc_encode_reply(rep.msg_id, rep.unique_id, rep.result, failed ? &f : NULL);
        struct rpc_reply back = {0};
        if (rpc_decode_reply(again, strlen(again), &back, &e) < 0)
                abort();
        if (!streq(rep.msg_id, back.msg_id) || (!failed && !json_equal(rep.result, back.result)))
                abort();
        rpc_reply_release(&back);
        rpc_reply_release(&rep);
        rpc_failure_clear(&f);
        free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        check_request((const char *)data, size);
        check_reply((const char *)data, size);
        return 0;
}
