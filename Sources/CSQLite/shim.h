// SQLITE_TRANSIENT is a casted macro Swift cannot import.
#ifndef RETINA_CSQLITE_SHIM_H
#define RETINA_CSQLITE_SHIM_H
#include <sqlite3.h>
static inline sqlite3_destructor_type retina_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
