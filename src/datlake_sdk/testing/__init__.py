"""Contract testing for code that talks to Datlake: a spec-driven mock (needs the `testing` extra,
`pip install 'datlake-sdk[testing]'`; without it, importing this package says so).

`DatlakeMock` intercepts httpx (through respx) at `base_url`. Its routes are the operations of
the Datlake spec shipped with this package; each request your code sends and each response you
can it with is validated against that spec, so a test fails with a message such as
`start_run request: body.metadata: 'x' is not of type 'object'` the moment either side drifts.
Requests no operation serves fail too. Object names with encoded slashes (`a%2Fb.txt`) route
to `upload_object` / `download_object`, matched on the raw path.

Example::

    from datlake_sdk import DatlakeClient
    from datlake_sdk.functional import start_run, unwrap
    from datlake_sdk.testing import DatlakeMock

    def test_start_run_sends_metadata():
        with DatlakeMock(base_url="http://127.0.0.1:8765") as dl:
            dl.on("start_run").respond(201, json=dl.factories.run(job_name="daily"))
            with DatlakeClient(base_url="http://127.0.0.1:8765", api_key="k") as client:
                run = unwrap(start_run(client, "daily", metadata={"source": "s3"}))
        assert run.run_id == dl.factories.run()["run_id"]
        (call,) = dl.calls("start_run")
        assert call.path_params == {"job_name": "daily"}

With pytest, enable the plugin in a `conftest.py` and use the `datlake_mock` fixture::

    pytest_plugins = ["datlake_sdk.testing.pytest_plugin"]

    def test_health(datlake_mock):
        datlake_mock.on("get_health").succeed()
        ...

`dl.on(op).respond(...)`, `.succeed()` (the operation's default body from `factories`) and
`.mock(side_effect)` set answers; `dl.calls(op)` lists what was sent. A violation raises
`ContractViolation`, an `AssertionError`; if the code under test swallows it, leaving the
`with` block (or the fixture's teardown) raises it again.
"""

try:
    from .._contract import Operation, operations, spec_document
    from ._factories import Factories, factories
    from ._mock import ContractViolation, DatlakeMock, Exchange, OperationStub, find_operation
    from ._validate import request_violations, response_violations
except ModuleNotFoundError as _missing:  # respx, openapi-core, PyYAML: the `testing` extra
    from ..cli._manners import missing_extra

    _advice = missing_extra(_missing, "testing")
    if _advice is None:
        raise
    raise ModuleNotFoundError(f"datlake_sdk.testing: {_advice}", name=_missing.name) from _missing

__all__ = [
    "ContractViolation",
    "DatlakeMock",
    "Exchange",
    "Factories",
    "Operation",
    "OperationStub",
    "factories",
    "find_operation",
    "operations",
    "request_violations",
    "response_violations",
    "spec_document",
]
