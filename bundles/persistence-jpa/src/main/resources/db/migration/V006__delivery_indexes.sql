-- Mooring schema, version 6: delivery indexes that keep a device's check-in independent of history.
--
-- A device's next command was found by walking command_delivery_next (device_id, command_seq) from its
-- first delivery, past every command it ever completed: the walk grew with the device's history. With
-- state in the key, only its queued and sent deliveries are read.
--
-- command_delivery_by_command was (command_id, state). Right after a fan-out the planner's statistics
-- know nothing of the new command, so it estimates one row for it and, for a single delivery (device and
-- command given), may take that index instead of the primary key: every delivery of the command was read
-- to find one. Keyed (command_id, device_id) it finds exactly that row whichever of the two the planner
-- picks, and still serves per-command reads by its first column.
DROP INDEX command_delivery_next;
CREATE INDEX command_delivery_pending ON command_delivery (device_id, state, command_seq);
DROP INDEX command_delivery_by_command;
CREATE INDEX command_delivery_by_command ON command_delivery (command_id, device_id);
