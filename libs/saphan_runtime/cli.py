"""The `saphan` command: run the system, one service or the broker; generate the contracts and deployment files."""

import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Saphan (สะพาน): inter-agency case referral.", no_args_is_help=True)
audit = typer.Typer(help="The audit ledger.", no_args_is_help=True)
app.add_typer(audit, name="audit")


@app.command()
def up(
    var_dir: Annotated[Path, typer.Option(envvar="SAPHAN_VAR_DIR", help="databases and logs")] = Path("var"),
    intake_port: Annotated[int, typer.Option(envvar="INTAKE_PORT")] = 8001,
    referral_port: Annotated[int, typer.Option(envvar="REFERRAL_PORT")] = 8002,
    documents_port: Annotated[int, typer.Option(envvar="DOCUMENTS_PORT")] = 8003,
    audit_port: Annotated[int, typer.Option(envvar="AUDIT_PORT")] = 8004,
    console_port: Annotated[int, typer.Option(envvar="CONSOLE_PORT", help="the web console")] = 8000,
) -> None:
    """Start the broker (unless KAFKA_BOOTSTRAP_SERVERS is set), the four services and the web console; Ctrl-C stops
    them."""
    from saphan_runtime.supervisor import Supervisor

    ports = {"intake": intake_port, "referral": referral_port, "documents": documents_port, "audit": audit_port,
             "console": console_port}
    supervisor = Supervisor(var_dir=var_dir.resolve(), ports=ports,
                            bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", ""))
    raise typer.Exit(supervisor.run())


@app.command()
def broker(port: Annotated[int, typer.Option(help="0 picks a free port")] = 9092) -> None:
    """Run the embedded Kafka-compatible broker alone, in the foreground."""
    from saphan_runtime.broker import EmbeddedBroker

    embedded = EmbeddedBroker(port=port or None).start()
    typer.echo(f"KAFKA_BOOTSTRAP_SERVERS={embedded.bootstrap_servers}")
    try:
        assert embedded.process is not None
        embedded.process.wait()
    except KeyboardInterrupt:
        embedded.stop()


@app.command()
def schemas(check: Annotated[bool, typer.Option(help="fail if a generated file is stale or a change incompatible")]
            = False) -> None:
    """Regenerate contracts/ from the event models and the services: each event's JSON Schema (refusing a change that
    earlier revisions cannot read: that is a new version), the AsyncAPI document and each service's OpenAPI
    document."""
    from saphan_runtime.contract_files import IncompatibleChange, check_contracts, write_contracts

    if check:
        problems = check_contracts()
        for problem in problems:
            typer.echo(problem, err=True)
        if problems:
            raise typer.Exit(1)
        return
    try:
        written = write_contracts()
    except IncompatibleChange as refusal:
        typer.echo(f"nothing written:\n{refusal}", err=True)
        raise typer.Exit(1) from refusal
    for path in written:
        typer.echo(f"{'wrote' if path.exists() else 'removed'} {path}")
    typer.echo(f"{len(written)} file(s) changed" if written else "contracts/ is up to date")


@app.command()
def deployment(check: Annotated[bool, typer.Option(help="fail if a generated deployment file is stale")] = False
               ) -> None:
    """Regenerate the deployment files that follow the code: each service's settings file (deploy/config), the topic
    list (deploy/kafka/topics.txt) and the Kubernetes workloads (deploy/k8s/services.yaml)."""
    from saphan_runtime.deployment import stale_files, write_files

    if check:
        stale = stale_files()
        for name in stale:
            typer.echo(f"deploy/{name} is stale: run `saphan deployment`", err=True)
        if stale:
            raise typer.Exit(1)
        return
    for path in write_files():
        typer.echo(f"wrote {path}")


@app.command("token")
def token(
    unit: Annotated[str, typer.Option(help="the agency unit, e.g. shelter-10 (see GET /agencies)")],
    role: Annotated[list[str], typer.Option(help="a role; repeat for several (hotline_operator, social_worker, "
                                                 "shelter_social_worker, prosecutor, tambon_centre_officer, "
                                                 "supervisor, auditor, administrator, agency_system)")],
    user: Annotated[str, typer.Option(help="the user (subject) the token names")] = "developer",
    hours: Annotated[float, typer.Option(help="how long the token lives")] = 8.0,
) -> None:
    """Print a token of the development issuer (trusted only where SAPHAN_ENV=development)."""
    from datetime import timedelta

    from contracts.access import Role
    from saphan_runtime import dev_issuer
    from saphan_runtime.settings import ServiceSettings

    known = {r.value for r in Role}
    if unknown := [r for r in role if r not in known]:
        raise typer.BadParameter(f"unknown role(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    settings = ServiceSettings()
    typer.echo(dev_issuer.mint(settings.var_dir, user=user, unit=unit, roles=[Role(r) for r in role],
                               settings=settings.auth, lifetime=timedelta(hours=hours)))


@audit.command("verify")
def audit_verify(
    database_url: Annotated[str, typer.Option(envvar="AUDIT_DATABASE_URL", help="default: var/audit.db")] = "",
    public_key: Annotated[str, typer.Option(help="Ed25519 public key, base64 (default: the service's own)")] = "",
) -> None:
    """Recompute the whole ledger, check every signed checkpoint, and name the first place it was altered."""
    import asyncio

    from rich.progress import Progress

    from services.audit.bootstrap import signer_for
    from services.audit.settings import Settings
    from services.audit.verify import verify_ledger

    settings = Settings(database_url=database_url) if database_url else Settings()
    key = public_key or signer_for(settings).public_key
    with Progress() as bar:
        task = bar.add_task("verifying the ledger", total=None)
        finding = asyncio.run(verify_ledger(settings.resolved_database_url(), key,
                                            lambda done, total: bar.update(task, completed=done, total=total)))
    typer.echo(f"{finding.entries} entries and {finding.checkpoints} checkpoints verified")
    if not finding.intact:
        typer.echo(f"TAMPERED at sequence {finding.first_bad_sequence}: {finding.problem}", err=True)
        raise typer.Exit(1)
    typer.echo("the ledger is intact / สมุดบัญชีครบถ้วนไม่ถูกแก้ไข")


@audit.command("rebuild")
def audit_rebuild(
    database_url: Annotated[str, typer.Option(help="an empty database to rebuild the ledger into")],
    public_key: Annotated[str, typer.Option(help="Ed25519 public key, base64 (default: the service's own)")] = "",
) -> None:
    """Rebuild the ledger from Kafka (KAFKA_BOOTSTRAP_SERVERS) into an empty database and check it against the
    recorded events and the signed checkpoints."""
    import asyncio

    from rich.progress import Progress

    from services.audit.bootstrap import signer_for
    from services.audit.rebuild import rebuild_ledger
    from services.audit.settings import Settings

    settings = Settings()
    key = public_key or signer_for(settings).public_key
    with Progress() as bar:
        task = bar.add_task("rebuilding the ledger", total=None)
        found = asyncio.run(rebuild_ledger(database_url, settings.broker, key,
                                           lambda done: bar.update(task, completed=done)))
    typer.echo(f"{found.size} entries rebuilt, root {found.root_hash}")
    typer.echo(f"{found.sources_checked} checked against their topics, {found.sources_missing} no longer there; "
               f"{found.checkpoints_matching} of {found.checkpoints} signed checkpoints match"
               + (f" ({found.checkpoints_ahead} signed after the ledger was read)" if found.checkpoints_ahead else ""))
    for problem in found.problems:
        typer.echo(f"PROBLEM: {problem}", err=True)
    if not found.intact:
        raise typer.Exit(1)
    typer.echo("the rebuilt ledger matches / สมุดบัญชีที่สร้างใหม่ตรงกับต้นฉบับ")
