"""The broker's raw produce-to-consume ceiling through aiokafka, with the clients the services use.

The producer is `saphan_runtime.kafka.producer` (acks=all, linger 2 ms) and sends as the outbox relay does: a batch
of 500 records, then it waits for their acknowledgements. The consumer is `saphan_runtime.kafka.consumer` (a group,
manual commits, the services' fetch wait), in a process of its own as a service's consumer is; it only counts (no
database, no commits), so the figure is the most records per second the pipeline's hops could move. The topic has
the event topics' partition count; the records have the pipeline's mean size and a key per case, as the relay sends.

Run alone (the consumer side; `measure` starts it): python -m bench.broker_ceiling --bootstrap HOST:PORT --topic T
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from typing import Any

from bench.stats import latency_ms
from contracts.topics import EVENT_TOPIC_PARTITIONS
from saphan_runtime import kafka
from saphan_runtime.settings import BrokerSettings
from saphan_runtime.supervisor import EMBEDDED_SESSION_TIMEOUT_MS

BATCH = 500  # the relay's default batch (ServiceSettings.relay_batch_size)
END = b"end"
READY_TIMEOUT_SECONDS = 60.0


def settings_for(bootstrap_servers: str) -> BrokerSettings:
    """Return the broker settings `saphan up` gives the services on its embedded broker."""
    return BrokerSettings(bootstrap_servers=bootstrap_servers, session_timeout_ms=EMBEDDED_SESSION_TIMEOUT_MS)


async def consume(bootstrap_servers: str, topic: str, partitions: int, give_up: float) -> dict[str, Any]:
    """Count records until every partition brought its end marker; return the count, times and latencies."""
    consumer = kafka.consumer(settings_for(bootstrap_servers), f"{topic}-group", [topic])
    await consumer.start()
    try:
        while len(consumer.assignment()) < partitions:
            await consumer.getmany(timeout_ms=200)
        print("ready", flush=True)
        count, first, last, latencies = 0, 0.0, 0.0, []
        ended: set[int] = set()
        deadline = time.monotonic() + give_up
        while len(ended) < partitions and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000)
            now = time.time()
            for tp, records in batch.items():
                for record in records:
                    if record.value == END:
                        ended.add(tp.partition)
                        continue
                    count += 1
                    latencies.append(now - float(record.value.split(b"|", 1)[0]))
            if batch:
                first, last = first or now, now
        return {"records": count, "first_received": first, "last_received": last,
                "complete": len(ended) == partitions, "latency": latency_ms(latencies)}
    finally:
        await consumer.stop()


def _value(size: int) -> bytes:
    stamp = f"{time.time():.6f}|".encode()
    return stamp + b"x" * max(size - len(stamp), 0)


async def _produce(bootstrap_servers: str, topic: str, seconds: float, size: int, partitions: int) -> dict[str, Any]:
    producer = kafka.producer(settings_for(bootstrap_servers), "bench-ceiling")
    keys = [str(uuid.uuid4()).encode() for _ in range(1000)]
    await producer.start()
    try:
        sent, started = 0, time.time()
        while time.time() - started < seconds:
            deliveries = [await producer.send(topic, value=_value(size), key=keys[(sent + i) % len(keys)])
                          for i in range(BATCH)]
            await asyncio.gather(*deliveries)
            sent += BATCH
        produced = time.time() - started
        for partition in range(partitions):
            await producer.send_and_wait(topic, value=END, partition=partition)
    finally:
        await producer.stop()
    return {"sent": sent, "first_sent": started, "produce_seconds": round(produced, 3),
            "produce_per_s": round(sent / produced, 1)}


async def measure(bootstrap_servers: str, seconds: float, size: int,
                  partitions: int = EVENT_TOPIC_PARTITIONS) -> dict[str, Any]:
    """Produce to a fresh topic for some seconds while a consumer process counts; return the rates."""
    topic = f"bench-ceiling-{uuid.uuid4().hex[:8]}"
    await kafka.ensure_topics(settings_for(bootstrap_servers), {topic: partitions})
    command = [sys.executable, "-m", "bench.broker_ceiling", "--bootstrap", bootstrap_servers, "--topic", topic,
               "--partitions", str(partitions), "--give-up", str(seconds + 120)]
    consumer = await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert consumer.stdout is not None
        ready = await asyncio.wait_for(consumer.stdout.readline(), READY_TIMEOUT_SECONDS)
        if ready.strip() != b"ready":
            raise RuntimeError(f"the ceiling consumer did not start: {ready!r}")
        produced = await _produce(bootstrap_servers, topic, seconds, size, partitions)
        output, _ = await asyncio.wait_for(consumer.communicate(), seconds + 180)
    finally:
        await _stop(consumer)
    consumed = json.loads(output.decode().strip().splitlines()[-1])
    span = consumed["last_received"] - produced["first_sent"]
    return {"topic_partitions": partitions, "record_bytes": size, "batch": BATCH, **produced, **consumed,
            "produce_to_consume_per_s": round(consumed["records"] / span, 1) if span > 0 else 0.0}


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 10)
    except TimeoutError:
        process.kill()
        await process.wait()


def main(argv: list[str] | None = None) -> None:
    """Run the consumer side and print its figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=EVENT_TOPIC_PARTITIONS)
    parser.add_argument("--give-up", type=float, default=300.0, help="seconds before giving up on the end markers")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(consume(args.bootstrap, args.topic, args.partitions, args.give_up))), flush=True)


if __name__ == "__main__":
    main()
