/* Unit tests for common/rpc's envelope codec: requests, contexts, replies and failures as
 * oslo.messaging 2.0 writes and reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/common.h"
#include "common/json_util.h"
#include "common/rpc.h"

/* The inner oslo.message of an envelope, parsed. */
static json_t *inner_of(const char *body)
{
        json_error_t je;
        json_t *outer = json_loads(body, 0, &je);
        assert_non_null(outer);
        assert_string_equal(json_get_str(outer, "oslo.version"), "2.0");
        const char *msg = json_get_str(outer, "oslo.message");
        assert_non_null(msg);
        json_t *inner = json_loads(msg, 0, &je);
        assert_non_null(inner);
        json_decref(outer);
        return inner;
}

static void test_cast_round_trip(void **state)
{
        (void)state;
        json_auto_t *args = json_pack("{s:s, s:i, s:{s:s}}", "message", "hello", "node_count", 3,
                                      "cluster", "uuid", "abc");
        json_auto_t *ctx = json_pack("{s:s, s:s, s:b, s:[s,s]}", "request_id", "req-1234",
                                     "project_id", "p1", "is_admin", 1, "roles", "admin", "member");
        struct rpc_request req = {.method = "echo",
                                  .args = args,
                                  .ctx = ctx,
                                  .unique_id = "00112233445566778899aabbccddeeff"};
        _cleanup_free_ char *body = rpc_encode_request(&req);

        /* on the wire: flattened context, no call keys */
        json_auto_t *inner = inner_of(body);
        assert_string_equal(json_get_str(inner, "method"), "echo");
        assert_string_equal(json_get_str(inner, "_context_request_id"), "req-1234");
        assert_string_equal(json_get_str(inner, "_context_project_id"), "p1");
        assert_true(json_is_true(json_object_get(inner, "_context_is_admin")));
        assert_string_equal(json_get_str(inner, "_unique_id"), "00112233445566778899aabbccddeeff");
        assert_null(json_object_get(inner, "_msg_id"));
        assert_null(json_object_get(inner, "_reply_q"));
        assert_null(json_object_get(inner, "request_id"));

        struct rpc_request out = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(rpc_decode_request(body, strlen(body), &out, &e), 0);
        assert_string_equal(out.method, "echo");
        assert_true(json_equal(out.args, args));
        assert_true(json_equal(out.ctx, ctx));
        assert_null(out.msg_id);
        assert_null(out.reply_q);
        assert_null(out.version);
        assert_string_equal(out.unique_id, "00112233445566778899aabbccddeeff");
        rpc_request_release(&out);
}

static void test_call_round_trip(void **state)
{
        (void)state;
        struct rpc_request req = {.method = "ping_conductor",
                                  .msg_id = "aa",
                                  .reply_q = "reply_bb",
                                  .unique_id = "cc",
                                  .version = "1.3"};
        _cleanup_free_ char *body = rpc_encode_request(&req);
        json_auto_t *inner = inner_of(body);
        assert_true(json_is_object(json_object_get(inner, "args")));
        assert_true(json_is_null(json_object_get(inner, "_timeout")));

        struct rpc_request out = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(rpc_decode_request(body, strlen(body), &out, &e), 0);
        assert_string_equal(out.msg_id, "aa");
        assert_string_equal(out.reply_q, "reply_bb");
        assert_string_equal(out.version, "1.3");
        assert_int_equal(json_object_size(out.args), 0);
        assert_int_equal(json_object_size(out.ctx), 0);
        rpc_request_release(&out);
}

/* A message exactly as Python's oslo.messaging 2.0 produces it for magnum's cluster_delete. */
static void test_decode_python_message(void **state)
{
        (void)state;
        const char *body =
                "{\"oslo.version\": \"2.0\", \"oslo.message\": \"{\\\"method\\\": "
                "\\\"cluster_delete\\\", \\\"args\\\": {\\\"uuid\\\": \\\"5d12f6fd-a196-4bf0-ae4c-"
                "1f639a523a52\\\"}, \\\"_msg_id\\\": \\\"9f2b\\\", \\\"_reply_q\\\": "
                "\\\"reply_17f1\\\", \\\"_timeout\\\": null, \\\"_unique_id\\\": \\\"d4e5\\\", "
                "\\\"_context_user_name\\\": \\\"demo\\\", \\\"_context_request_id\\\": "
                "\\\"req-5b1c\\\", \\\"_context_roles\\\": [\\\"member\\\", \\\"reader\\\"]}\"}";
        struct rpc_request out = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(rpc_decode_request(body, strlen(body), &out, &e), 0);
        assert_string_equal(out.method, "cluster_delete");
        assert_string_equal(json_get_str(out.args, "uuid"), "5d12f6fd-a196-4bf0-ae4c-1f639a523a52");
        assert_string_equal(json_get_str(out.ctx, "request_id"), "req-5b1c");
        assert_string_equal(json_get_str(out.ctx, "user_name"), "demo");
        assert_int_equal(json_array_size(json_object_get(out.ctx, "roles")), 2);
        assert_string_equal(out.reply_q, "reply_17f1");
        assert_int_equal(out.timeout, 0);
        rpc_request_release(&out);
}

static void test_decode_rejects_bad_messages(void **state)
{
        (void)state;
        static const struct {
                const char *body;
                int err;
        } cases[] = {
                {"not json", -EINVAL},
                {"[]", -EINVAL},
                {"{\"method\": \"echo\"}", -EINVAL}, /* oslo 1.0 style, no envelope */
                {"{\"oslo.version\": \"3.0\", \"oslo.message\": \"{}\"}", -EINVAL},
                {"{\"oslo.version\": \"2.0\", \"oslo.message\": \"[1]\"}", -EINVAL},
                {"{\"oslo.version\": \"2.0\", \"oslo.message\": \"{\\\"args\\\": {}}\"}", -EINVAL},
                {"{\"oslo.version\": \"2.0\", \"oslo.message\": "
                 "\"{\\\"method\\\": \\\"x\\\", \\\"args\\\": [1]}\"}",
                 -EINVAL},
                {"{\"oslo.version\": \"2.0\", \"oslo.message\": "
                 "\"{\\\"method\\\": \\\"x\\\", \\\"_msg_id\\\": \\\"a\\\"}\"}",
                 -EINVAL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct rpc_request out = {0};
                struct err e = ERR_INIT;
                assert_int_equal(rpc_decode_request(cases[i].body, strlen(cases[i].body), &out, &e),
                                 cases[i].err);
                assert_non_null(e.msg);
                err_clear(&e);
        }
}

static void test_decode_depth_limit(void **state)
{
        (void)state;
        struct strbuf sb = STRBUF_INIT;
        strbuf_addstr(&sb, "{\"oslo.version\": \"2.0\", \"oslo.message\": \"{\\\"method\\\": "
                           "\\\"x\\\", \\\"args\\\": {\\\"a\\\": ");
        for (int i = 0; i < 200; i++)
                strbuf_addch(&sb, '[');
        for (int i = 0; i < 200; i++)
                strbuf_addch(&sb, ']');
        strbuf_addstr(&sb, "}}\"}");
        struct rpc_request out = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(rpc_decode_request(sb.buf, sb.len, &out, &e), -ELOOP);
        strbuf_release(&sb);
}

static void test_reply_success_round_trip(void **state)
{
        (void)state;
        json_auto_t *result = json_pack("{s:s, s:[i,i]}", "pem", "-----BEGIN", "xs", 1, 2);
        _cleanup_free_ char *body = rpc_encode_reply("m1", "u1", result, NULL);
        json_auto_t *inner = inner_of(body);
        assert_true(json_is_true(json_object_get(inner, "ending")));
        assert_true(json_is_null(json_object_get(inner, "failure")));

        struct rpc_reply rep = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(rpc_decode_reply(body, strlen(body), &rep, &e), 0);
        assert_string_equal(rep.msg_id, "m1");
        assert_string_equal(rep.unique_id, "u1");
        assert_true(rep.ending);
        assert_null(rep.failure);
        assert_true(json_equal(rep.result, result));
        rpc_reply_release(&rep);

        /* ping_conductor's `true` and a null result */
        json_auto_t *t = json_true();
        _cleanup_free_ char *b2 = rpc_encode_reply("m2", "u2", t, NULL);
        assert_int_equal(rpc_decode_reply(b2, strlen(b2), &rep, &e), 0);
        assert_true(json_is_true(rep.result));
        rpc_reply_release(&rep);
        _cleanup_free_ char *b3 = rpc_encode_reply("m3", "u3", NULL, NULL);
        assert_int_equal(rpc_decode_reply(b3, strlen(b3), &rep, &e), 0);
        assert_true(json_is_null(rep.result));
        rpc_reply_release(&rep);
}

static void test_reply_failure_round_trip(void **state)
{
        (void)state;
        _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
        assert_int_equal(rpc_failure_set(&f, -ENOENT, 404, "ClusterNotFound",
                                         "Cluster %s could not be found.", "abc"),
                         -ENOENT);
        _cleanup_free_ char *body = rpc_encode_reply("m1", "u1", NULL, &f);

        /* failure travels as a JSON *string* holding oslo's failure dict */
        json_auto_t *inner = inner_of(body);
        const char *fs = json_get_str(inner, "failure");
        assert_non_null(fs);
        json_error_t je;
        json_auto_t *fd = json_loads(fs, 0, &je);
        assert_non_null(fd);
        assert_string_equal(json_get_str(fd, "class"), "ClusterNotFound");
        assert_string_equal(json_get_str(fd, "module"), "magnum.common.exception");
        assert_string_equal(json_get_str(fd, "message"), "Cluster abc could not be found.");
        assert_int_equal(json_get_int(json_object_get(fd, "kwargs"), "code", 0), 404);
        assert_true(json_is_array(json_object_get(fd, "tb")));
        assert_string_equal(json_string_value(json_array_get(json_object_get(fd, "args"), 0)),
                            "Cluster abc could not be found.");

        struct rpc_reply rep = {0};
        _cleanup_err_ struct err e = ERR_INIT;
        assert_int_equal(rpc_decode_reply(body, strlen(body), &rep, &e), 0);
        assert_non_null(rep.failure);
        _cleanup_rpc_failure_ struct rpc_failure back = RPC_FAILURE_INIT;
        assert_int_equal(rpc_failure_from_json(rep.failure, &back), 0);
        assert_int_equal(back.err.code, -EREMOTEIO);
        assert_int_equal(back.http_code, 404);
        assert_string_equal(back.class_name, "ClusterNotFound");
        assert_string_equal(back.module, "magnum.common.exception");
        assert_string_equal(rpc_failure_msg(&back), "Cluster abc could not be found.");
        rpc_reply_release(&rep);
}

static void test_failure_without_code(void **state)
{
        (void)state;
        _cleanup_rpc_failure_ struct rpc_failure f = RPC_FAILURE_INIT;
        rpc_failure_set_module(&f, -EOPNOTSUPP, "oslo_messaging.rpc.dispatcher", "NoSuchMethod",
                               "Endpoint does not support RPC method %s", "nope");
        json_auto_t *j = rpc_failure_to_json(&f);
        assert_int_equal(json_object_size(json_object_get(j, "kwargs")), 0);
        _cleanup_rpc_failure_ struct rpc_failure back = RPC_FAILURE_INIT;
        assert_int_equal(rpc_failure_from_json(j, &back), 0);
        assert_int_equal(back.http_code, 0);
        assert_string_equal(back.class_name, "NoSuchMethod");
        assert_string_equal(back.module, "oslo_messaging.rpc.dispatcher");

        /* a kwargs.code outside HTTP's range is not an HTTP code */
        json_auto_t *odd =
                json_pack("{s:s, s:s, s:{s:i}}", "class", "X", "message", "m", "kwargs", "code", 7);
        assert_int_equal(rpc_failure_from_json(odd, &back), 0);
        assert_int_equal(back.http_code, 0);
        json_auto_t *notdict = json_string("x");
        assert_int_equal(rpc_failure_from_json(notdict, &back), -EINVAL);
}

static void test_reply_rejects_bad(void **state)
{
        (void)state;
        static const char *bad[] = {
                "{\"oslo.version\": \"2.0\", \"oslo.message\": \"{\\\"result\\\": 1}\"}",
                "{\"oslo.version\": \"2.0\", \"oslo.message\": "
                "\"{\\\"_msg_id\\\": \\\"a\\\", \\\"failure\\\": \\\"{}\\\"}\"}",
                "{\"oslo.version\": \"2.0\", \"oslo.message\": "
                "\"{\\\"_msg_id\\\": \\\"a\\\", \\\"failure\\\": 3}\"}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct rpc_reply rep = {0};
                struct err e = ERR_INIT;
                assert_int_equal(rpc_decode_reply(bad[i], strlen(bad[i]), &rep, &e), -EINVAL);
                err_clear(&e);
        }
}

static void test_options(void **state)
{
        (void)state;
        _cleanup_(conf_freep) struct conf *c = NULL;
        _cleanup_err_ struct err e = ERR_INIT;
        struct rpc_opts o;
        const char *text = "[DEFAULT]\ntransport_url = rabbit://u:p@h1:1,u:p@h2:2/v\n"
                           "rpc_response_timeout = 5\n[oslo_messaging_rabbit]\n"
                           "amqp_durable_queues = false\n";
        assert_int_equal(conf_load_string(text, "t.conf", &c, &e), 0);
        assert_int_equal(rpc_opts_load(c, &o, &e), 0);
        assert_string_equal(o.transport_url, "rabbit://u:p@h1:1,u:p@h2:2/v");
        assert_string_equal(o.control_exchange, "magnum");
        assert_int_equal(o.response_timeout, 5);
        assert_false(o.durable);
        assert_int_equal(o.retry_interval, 1);
        assert_int_equal(o.interval_max, 30);
        rpc_opts_release(&o);

        conf_set(c, "DEFAULT", "transport_url", "kafka://h:1/");
        assert_int_equal(rpc_opts_load(c, &o, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "unsupported transport"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cast_round_trip),
                cmocka_unit_test(test_call_round_trip),
                cmocka_unit_test(test_decode_python_message),
                cmocka_unit_test(test_decode_rejects_bad_messages),
                cmocka_unit_test(test_decode_depth_limit),
                cmocka_unit_test(test_reply_success_round_trip),
                cmocka_unit_test(test_reply_failure_round_trip),
                cmocka_unit_test(test_failure_without_code),
                cmocka_unit_test(test_reply_rejects_bad),
                cmocka_unit_test(test_options),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
