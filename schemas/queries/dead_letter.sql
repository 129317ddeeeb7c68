-- A rejected event's dead-letter record: its topic and raw payload.
SELECT function, event_type, reason, payload
FROM propflow.processed_events
WHERE event_id = @event_id AND status = 'rejected'
