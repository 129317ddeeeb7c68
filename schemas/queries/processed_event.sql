-- Has this deployment already handled this event?
SELECT status
FROM propflow.processed_events
WHERE function = @function AND event_id = @event_id
