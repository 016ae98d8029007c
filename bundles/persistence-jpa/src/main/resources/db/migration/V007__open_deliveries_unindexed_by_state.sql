-- Mooring schema, version 7 (PostgreSQL; H2 runs the .h2.sql beside this file): no index leads with a
-- delivery's state for open deliveries.
--
-- command_delivery_by_state (state, completed_at) served the pruning of old acknowledged deliveries. Right
-- after a fan-out the planner's statistics still say almost no delivery is open, so for a device's open
-- commands, or a delivery joined to a list of devices and commands, it preferred that index and read every
-- open delivery of the fleet for each device (seen with a batch of devices' snapshots and writes). As a
-- partial index of acknowledged deliveries it still serves the pruning, no query for open deliveries can
-- take it, and a delivery that is handed out or answered no longer writes an entry into it until it is
-- acknowledged. Open deliveries are reached through the primary key, command_delivery_pending (device_id,
-- state, command_seq) and command_delivery_by_command (command_id, device_id).
DROP INDEX command_delivery_by_state;
CREATE INDEX command_delivery_acknowledged ON command_delivery (completed_at) WHERE state = 'ACKNOWLEDGED';
