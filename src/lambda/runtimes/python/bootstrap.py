"""gatehouse's Python runtime: a stdlib-only Lambda Runtime API client for python3.x functions.

Follows "Using the Lambda runtime API for custom runtimes" (runtimes-api.html), "Define Lambda
function handler in Python" (python-handler.html), "Using the Lambda context object to retrieve
Python function information" (python-context.html) and "Lambda function errors in Python"
(python-exceptions.html). Started by gatehouse with AWS_LAMBDA_RUNTIME_API, _HANDLER and
LAMBDA_TASK_ROOT set; cwd is the code folder.
"""

import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback
import types

API_HOST, API_PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
BASE = "/2018-06-01/runtime/"
REQUEST_ID = None
# Python 3.12+ runtimes answer with non-ASCII characters left as they are.
ENSURE_ASCII = sys.version_info < (3, 12)


class _Unbuffered:
    """Flushes every write, so log lines are out before the response is posted."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        self._stream.write(text)
        self._stream.flush()

    def writelines(self, lines):
        self._stream.writelines(lines)
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def api(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(API_HOST, int(API_PORT))
    try:
        connection.request(method, BASE + path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        connection.close()


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def to_json(value):
    return json.dumps(value, default=_json_default, ensure_ascii=ENSURE_ASCII)


class FaultError(Exception):
    """An error the runtime itself raises, with Lambda's Runtime.* type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def error_body(error_type, message, stack_trace, request_id=""):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id or "", "stackTrace": stack_trace}


def user_frames(tb):
    """The traceback minus this bootstrap's own frames, formatted like the Python runtime's stackTrace."""
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == __file__:
        frames = frames[1:]
    return traceback.format_list(frames)


def log_error(body):
    # One log event: lines joined with \r, as the Python runtime writes errors.
    lines = ["[ERROR] %s: %s" % (body["errorType"], body["errorMessage"]), "Traceback (most recent call last):"]
    for entry in body["stackTrace"]:
        lines.extend(entry.rstrip("\n").split("\n"))
    sys.stdout.write("\r".join(lines) + "\n")


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % module_name)
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace)
    function = getattr(module, function_name, None)
    if function is None:
        raise FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return function


def _client_context(value):
    """The client context as attributes (custom, env, client), like the Python runtime's ClientContext."""
    if not isinstance(value, dict):
        return None
    client = value.get("client")
    if isinstance(client, dict):
        client = types.SimpleNamespace(
            **{k: client.get(k) for k in ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")}
        )
    return types.SimpleNamespace(custom=value.get("custom"), env=value.get("env"), client=client)


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.invoked_function_arn = invoked_function_arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = _client_context(client_context)
        self.identity = types.SimpleNamespace(cognito_identity_id=None, cognito_identity_pool_id=None)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = REQUEST_ID or ""
        return True


def setup_logging():
    # The Python runtime's text format: [LEVEL]\t<UTC time>\t<request id>\t<message>
    logging.Formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    handler.addFilter(_RequestIdFilter())
    logging.getLogger().addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        logging.getLogger().setLevel(level.upper())


def init():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        return load_handler(os.environ["_HANDLER"])
    except FaultError as e:
        body = error_body(e.error_type, e.message, e.trace)
    except Exception as e:
        body = error_body(type(e).__name__, str(e), user_frames(sys.exc_info()[2]))
    log_error(body)
    payload = json.dumps(body).encode()
    api("POST", "init/error", payload, {"Lambda-Runtime-Function-Error-Type": body["errorType"]})
    sys.exit(1)


def run(function):
    global REQUEST_ID
    while True:
        headers, body = api("GET", "invocation/next")
        request_id = headers["lambda-runtime-aws-request-id"]
        REQUEST_ID = request_id
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            client_context = headers.get("lambda-runtime-client-context")
            context = LambdaContext(
                request_id,
                int(headers["lambda-runtime-deadline-ms"]),
                headers.get("lambda-runtime-invoked-function-arn"),
                json.loads(client_context) if client_context else None,
            )
            try:
                event = json.loads(body)
            except Exception as e:
                raise FaultError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            result = function(event, context)
            if isinstance(result, bytes):
                payload = result
            else:
                try:
                    payload = to_json(result).encode()
                except Exception as e:
                    raise FaultError("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        except FaultError as e:
            failure = error_body(e.error_type, e.message, e.trace, request_id)
        except Exception as e:
            failure = error_body(type(e).__name__, str(e), user_frames(sys.exc_info()[2]), request_id)
        else:
            api("POST", "invocation/%s/response" % request_id, payload)
            continue
        log_error(failure)
        api(
            "POST",
            "invocation/%s/error" % request_id,
            json.dumps(failure).encode(),
            {"Lambda-Runtime-Function-Error-Type": failure["errorType"], "Content-Type": "application/json"},
        )


if __name__ == "__main__":
    sys.stdout = _Unbuffered(sys.stdout)
    sys.stderr = _Unbuffered(sys.stderr)
    # The bootstrap's own folder must not shadow user modules.
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)
    setup_logging()
    run(init())
