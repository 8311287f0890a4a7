// The LMDB C API (Debian package liblmdb-dev).
#include <lmdb.h>
