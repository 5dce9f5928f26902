"""A real S3-compatible server on loopback for the object-storage tests: s3rver (npm, installed
by .ci/run into tests/documents/s3server), started once per session in its own temporary
folder, and a fresh bucket per test that the Django file storage is pointed at.

Import the fixtures into a test module: ``from tests.object_store import s3_server, s3_storage``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from config.storage import default_storage_config

S3RVER = Path(__file__).parent / "documents" / "s3server" / "node_modules" / ".bin" / "s3rver"
# s3rver accepts any request signed with these.
ACCESS_KEY = SECRET_KEY = "S3RVER"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )


@dataclass(frozen=True)
class Bucket:
    server: S3Server
    name: str

    def object_keys(self) -> list[str]:
        listed = self.server.client().list_objects_v2(Bucket=self.name)
        return sorted(entry["Key"] for entry in listed.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        self.server.client().put_object(Bucket=self.name, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.server.client().delete_object(Bucket=self.name, Key=key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_server():
    if not S3RVER.exists():
        pytest.skip("needs s3rver: npm ci --prefix tests/documents/s3server (.ci/run does)")
    folder = tempfile.mkdtemp(prefix="s3rver-")
    port = _free_port()
    process = subprocess.Popen(
        [str(S3RVER), "--directory", folder, "--address", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NODE_ENV": "test"},
    )
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("s3rver did not start")
            time.sleep(0.1)
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def s3_storage(s3_server, settings) -> Bucket:
    """The file storage is a fresh bucket on the loopback server, configured the way
    production is (config/storage.py)."""
    bucket = Bucket(server=s3_server, name=f"permits-{uuid.uuid4().hex[:16]}")
    s3_server.client().create_bucket(Bucket=bucket.name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage_config(
            bucket=bucket.name,
            endpoint_url=s3_server.endpoint_url,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region="us-east-1",
            addressing_style="path",
        ),
    }
    return bucket
