"""Run queue_job jobs in the test's transaction, as queue_job's runner would.

Jobs are real ``queue.job`` records (so identity keys, retries and failures
behave as in production); each runs in a savepoint: a failure rolls back only
its own work and leaves the job failed, like the runner's separate transaction.
"""

import logging

from odoo import fields

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

_logger = logging.getLogger(__name__)


class JobRun:
    """What a round of job execution did."""

    def __init__(self):
        self.done = []
        self.failed = []
        self.retried = []  # (job, seconds asked for)

    def __repr__(self):
        return (
            f"<JobRun done={len(self.done)} failed={len(self.failed)} "
            f"retried={len(self.retried)}>"
        )


def pending_jobs(env):
    return (
        env["queue.job"]
        .sudo()
        .search([("state", "in", ("pending", "enqueued"))], order="priority, id")
    )


def run_jobs(env, max_rounds=30, ignore_eta=True):
    """Perform pending jobs (and those they enqueue) until none is left."""
    run = JobRun()
    for _round in range(max_rounds):
        records = pending_jobs(env)
        if not ignore_eta:
            now = fields.Datetime.now()
            records = records.filtered(lambda r, now=now: not r.eta or r.eta <= now)
        if not records:
            return run
        for record in records:
            _perform(env, record.uuid, run)
    raise AssertionError(f"jobs still pending after {max_rounds} rounds: {run}")


def run_one_round(env):
    """Perform the jobs pending now, once each (what they enqueue waits)."""
    run = JobRun()
    for record in pending_jobs(env):
        _perform(env, record.uuid, run)
    return run


def _perform(env, uuid, run):
    # like queue_job's runner: jobs are managed as superuser, and each one
    # performs as the user who enqueued it
    env = env(su=True)
    job = Job.load(env, uuid)
    job.set_started()
    job.store()
    try:
        with env.cr.savepoint():
            job.perform()
    except RetryableJobError as err:
        # (past max_retries, Job.perform raises FailedJobError instead)
        job.postpone(result=str(err), seconds=err.seconds)
        job.set_pending(reset_retry=False)
        job.store()
        run.retried.append((job, err.seconds))
        return
    except Exception as err:  # a job's failure is recorded, not raised
        _logger.info("job %s failed: %s", job.func_string, err, exc_info=True)
        # as queue_job's runner: after the rollback, record the failure and call
        # the job function's on-failure hook
        vals = {
            "exc_name": f"{type(err).__module__}.{type(err).__name__}",
            "exc_message": str(err),
            "exc_info": repr(err),
        }
        job.set_failed(**vals)
        job.store()
        job.on_fail(vals)
        run.failed.append(job)
        return
    job.set_done()
    job.store()
    run.done.append(job)
