// The Kafka side: a consumer group on dunning.case.events (kafkajs, pure JavaScript). Offsets
// are committed only after a record was handled, so a crash re-delivers it; the Idempotency-Key
// of every report makes that harmless.
import { Kafka, logLevel } from "kafkajs";
import { handleRecord } from "./handover.mjs";

export const CASE_TOPIC = "dunning.case.events";

/** kafkajs logs to stderr (stdout carries one JSON line per outcome). */
function stderrLogger(level) {
  return () =>
    ({ namespace, level: entryLevel, label, log }) => {
      if (entryLevel > level) return;
      const { message, ...extra } = log;
      process.stderr.write(`${label} [${namespace}] ${message} ${JSON.stringify(extra)}\n`);
    };
}

/**
 * Consume hand-overs until stopped (or until `exitAfter` cases were received).
 * @returns {Promise<{stop: () => Promise<void>, done: Promise<void>}>}
 */
export async function listen({
  brokers,
  groupId,
  sessionTimeoutMs = 10000,
  fromBeginning = true,
  exitAfter = 0,
  onOutcome = (outcome) => process.stdout.write(JSON.stringify(outcome) + "\n"),
  deps,
}) {
  const kafka = new Kafka({
    clientId: groupId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: stderrLogger(logLevel.WARN),
    retry: { retries: 10 },
  });
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeoutMs / 10)),
  });
  let received = 0;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const stop = async () => {
    await consumer.disconnect();
    finish();
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) {
      process.stderr.write(`consumer crashed: ${payload.error}\n`);
      stop();
    }
  });

  await consumer.connect();
  await consumer.subscribe({ topic: CASE_TOPIC, fromBeginning });
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ topic, partition, message }) => {
      const outcome = await handleRecord({ topic, partition, ...message }, deps);
      if (outcome.action !== "ignored") onOutcome(outcome);
      if (outcome.action === "received") {
        received += 1;
        if (exitAfter > 0 && received >= exitAfter) {
          // Commit this record before leaving, then stop outside the handler.
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
          setImmediate(stop);
        }
      }
    },
  });
  return { stop, done };
}
