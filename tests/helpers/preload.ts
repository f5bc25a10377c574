// Cheap argon2 in the reference Users service for the whole suite, child processes included (they
// inherit the environment): real hashing, at a cost that four copies of the suite on two cores can
// afford. A test about the cost itself can still set the variable for itself.
process.env.GATEWAY_REFERENCE_HASH_COST ??= "low";
