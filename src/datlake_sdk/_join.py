"""Joining a run another process started: `datlake run` (or any parent) puts the run in its
child's environment, and the child's SDK records its inputs, outputs and telemetry on that
same run without ever completing it (the parent does).

>>> run_environment(Run("daily_users", "r1"))
{'DATLAKE_RUN_ID': 'r1', 'DATLAKE_JOB_NAME': 'daily_users'}
>>> current_run({"DATLAKE_RUN_ID": "r1", "DATLAKE_JOB_NAME": "daily_users"})
Run(job_name='daily_users', run_id='r1', ...)
>>> current_run({}) is None
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ._errors import ConfigError
from ._names import bad_name, bad_run_id
from ._types import Run

__all__ = [
    "JOB_NAME_VARIABLE",
    "RUN_ID_VARIABLE",
    "current_run",
    "run_environment",
    "run_to_join",
]

RUN_ID_VARIABLE = "DATLAKE_RUN_ID"
JOB_NAME_VARIABLE = "DATLAKE_JOB_NAME"


def run_environment(run: Run) -> dict[str, str]:
    """The variables that hand `run` to a child process."""
    return {RUN_ID_VARIABLE: run.run_id, JOB_NAME_VARIABLE: run.job_name}


def current_run(environ: Mapping[str, str] | None = None) -> Run | None:
    """The run this process was started to join (`DATLAKE_RUN_ID` and `DATLAKE_JOB_NAME`),
    or `None` when it was not; a malformed or half-set pair raises `ConfigError` naming the
    variable."""
    env = os.environ if environ is None else environ
    run_id, job_name = env.get(RUN_ID_VARIABLE), env.get(JOB_NAME_VARIABLE)
    if run_id is None and job_name is None:
        return None
    if run_id is None or job_name is None:
        missing, given = (
            (RUN_ID_VARIABLE, JOB_NAME_VARIABLE)
            if run_id is None
            else (JOB_NAME_VARIABLE, RUN_ID_VARIABLE)
        )
        raise ConfigError(f"{missing} is not set, though {given} is")
    if bad_run_id(RUN_ID_VARIABLE, run_id) is not None:
        raise ConfigError(f"{RUN_ID_VARIABLE}: {run_id!r} is not a run id")
    if bad_name(JOB_NAME_VARIABLE, job_name) is not None:
        raise ConfigError(f"{JOB_NAME_VARIABLE}: {job_name!r} is not a job name")
    return Run(job_name, run_id)


def run_to_join(who: str) -> Run:
    """`current_run()`, which `who` (`JobContext.current()`, ...) needs: `ConfigError` when
    the process was not started to join a run."""
    run = current_run()
    if run is None:
        raise ConfigError(
            f"{who}: {RUN_ID_VARIABLE} and {JOB_NAME_VARIABLE} are not set"
            " (start this process with `datlake run`)"
        )
    return run
