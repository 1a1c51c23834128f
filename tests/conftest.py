"""Fixtures of the cross-addon tests: a real Odoo server process for XML-RPC.

setup/test.sh prepares a database for it (ENTRO_RPC_DB, a copy of the freshly
installed test database) so that what XML-RPC clients commit never leaks into the
transactional tests that pytest-odoo runs on the test database itself.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import pytest


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """An odoo-bin process on loopback, and XML-RPC helpers to talk to it."""

    def __init__(self, db, port, cmd, env, logfile):
        self.db = db
        self.port = port
        self.cmd = cmd
        self.env = env
        self.logfile = logfile
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self, timeout=90):
        """Start the server (our own command line) and wait until it answers."""
        self.process = subprocess.Popen(self.cmd, env=self.env)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"the Odoo server exited with {self.process.returncode}; "
                    f"see {self.logfile}"
                )
            try:
                self.common().version()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.process.kill()
                    pytest.fail(
                        f"the Odoo server did not answer within {timeout} s; "
                        f"see {self.logfile}"
                    )
                time.sleep(0.3)

    def kill(self):
        """SIGKILL the server we started (by its PID): no graceful shutdown."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def common(self):
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common", allow_none=True)

    def models(self):
        return xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)

    def login(self, login, password):
        uid = self.common().authenticate(self.db, login, password, {})
        if not uid:
            raise AssertionError(f"{login} could not authenticate")
        return RpcClient(self, uid, password)


class RpcClient:
    """execute_kw for one authenticated user."""

    def __init__(self, server, uid, password):
        self.server = server
        self.uid = uid
        self.password = password
        self._proxy = server.models()

    def __call__(self, model, method, *args, **kwargs):
        return self._proxy.execute_kw(
            self.server.db, self.uid, self.password, model, method, list(args), kwargs
        )


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the tests through setup/test.sh")
    return value


@pytest.fixture(scope="session")
def odoo_server():
    db = _required_env("ENTRO_RPC_DB")
    odoo_bin = Path(_required_env("ODOO_TREE")) / "odoo-bin"
    logfile = Path(_required_env("ENTRO_STATE")) / "log" / "rpc-server.log"
    port = free_port()
    env = dict(os.environ)
    env.pop("ODOO_QUEUE_JOB_CHANNELS", None)
    cmd = [
        sys.executable,
        str(odoo_bin),
        "-c",
        _required_env("ODOO_RC"),
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        f"--logfile={logfile}",
        "--max-cron-threads=0",
    ]
    server = OdooServer(db, port, cmd, env, logfile)
    server.start()
    yield server
    server.stop()


#: worker processes of the prefork server (the shipped ``--workers=2``)
PREFORK_WORKERS = 2


@pytest.fixture(scope="module")
def prefork(odoo_server):
    """The XML-RPC tests' server, restarted with two worker processes for the
    module's tests, then back as it was."""
    odoo_server.stop()
    cmd = [
        *odoo_server.cmd,
        f"--workers={PREFORK_WORKERS}",
        # a job is one request to a worker: queue_job asks for generous limits
        "--limit-time-cpu=600",
        "--limit-time-real=1200",
    ]
    server = OdooServer(
        odoo_server.db, odoo_server.port, cmd, odoo_server.env, odoo_server.logfile
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        odoo_server.start()
