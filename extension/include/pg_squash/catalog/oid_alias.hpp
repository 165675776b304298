// OID alias types (regclass, regproc, regtype, ...): a value prints as the object's name
// but is stored as its OID, which differs in every database. The snapshot keeps their
// constants by name; the data fingerprint hashes them through their output function.
#pragma once

namespace squash {

// type: a pg_type OID (a PostgreSQL Oid).
bool is_oid_alias_type(unsigned int type);

}  // namespace squash
