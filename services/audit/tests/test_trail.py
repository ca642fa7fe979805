"""The legal-trail export: a bundle whose verifier, run offline with nothing of Saphan, accepts the case's trail
and names the entry of any change made to it."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from contracts.topics import INTAKE_EVENTS
from saphan_runtime.testing import eventually, running
from services.audit import checkpoints
from services.audit.tests.test_ledger import auditor_client
from tests.helpers import case_reported_event, case_triaged_event, publish


def verify_offline(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the bundle's own verifier in an isolated interpreter, as an auditor would."""
    return subprocess.run([sys.executable, "-I", "verify_trail.py", "trail.json", *args], cwd=folder,
                          capture_output=True, text=True, timeout=60, check=False)


async def test_the_bundle_verifies_offline_and_names_a_changed_entry(make_service, broker, tmp_path, caller) -> None:
    service = make_service("audit", checkpoint_seconds=3600)
    async with running(service) as url, auditor_client(url, caller) as client:
        for raw in (case_reported_event("c1"), case_reported_event("c2"), case_triaged_event("c1")):
            await publish(broker, INTAKE_EVENTS, raw, key=b"c")

        async def recorded(count: int) -> bool:
            response = await client.get("/cases/c1/timeline", params={"include_reads": "false"})
            return response.status_code == 200 and len(response.json()["events"]) == count

        await eventually(lambda: recorded(2))
        unsigned = await client.get("/cases/c1/trail.zip")
        await client.post("/checkpoints")
        await publish(broker, INTAKE_EVENTS, case_triaged_event("c1"), key=b"c")  # after the checkpoint
        await eventually(lambda: recorded(3))
        bundle = await client.get("/cases/c1/trail.zip")
        pdf = await client.get("/cases/c1/trail.pdf")
        missing = await client.get("/cases/nobody/trail")
    assert unsigned.status_code == 409 and missing.status_code == 404
    assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/zip"
    assert pdf.content.startswith(b"%PDF")
    zipfile.ZipFile(io.BytesIO(bundle.content)).extractall(tmp_path)
    trail = json.loads((tmp_path / "trail.json").read_text())
    changes = [e for e in trail["entries"] if not e["event"]["type"].startswith("saphan.access.")]
    reads = [e for e in trail["entries"] if e["event"]["type"].startswith("saphan.access.")]
    assert [e["event"]["type"] for e in changes] == ["saphan.intake.case-reported.v1", "saphan.intake.case-triaged.v1"]
    assert all(e["event"]["data"]["unit_id"] == "oversight-1" for e in reads)  # the auditor's own reads, recorded
    assert [p["type"] for p in trail["pending"] if not p["type"].startswith("saphan.access.")] == [
        "saphan.intake.case-triaged.v1"]
    assert (tmp_path / "trail.pdf").read_bytes().startswith(b"%PDF")

    accepted = verify_offline(tmp_path)
    assert accepted.returncode == 0 and "OK" in accepted.stdout, accepted.stdout + accepted.stderr
    stranger = checkpoints.Signer(checkpoints.load_key("A" * 43 + "=")).public_key
    assert "not signed by this public key" in verify_offline(tmp_path, "--public-key", stranger).stdout

    second = changes[1]
    second["record"] = second["record"].replace('"urgent"', '"normal"')  # one field of the triage, in the record
    (tmp_path / "trail.json").write_text(json.dumps(trail))
    changed = verify_offline(tmp_path)
    assert changed.returncode == 1 and f"sequence {second['sequence']}" in changed.stdout


def test_the_standalone_verifier_walks_proofs_as_the_service_builds_them() -> None:
    from services.audit import merkle, verify_trail

    leaves = [merkle.leaf_hash(str(n).encode()) for n in range(70)]
    for size in range(1, len(leaves) + 1):
        tree = leaves[:size]
        for index in range(size):
            path = merkle.inclusion_proof(index, tree)
            assert verify_trail.root_from_path(tree[index], index, size, path) == merkle.root(tree)
            if path:
                wrong = [bytes(32), *path[1:]]
                assert verify_trail.root_from_path(tree[index], index, size, wrong) != merkle.root(tree)
