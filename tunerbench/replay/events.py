"""The events a replay process sends its session (no TensorFlow: the session's side reads them)."""

REPLAYED = "replayed"  # {"event": REPLAYED, "result": a result record}
REPLAY_FAILED = "replay_failed"  # {"event": REPLAY_FAILED, "tuner", "seed", "message"}
