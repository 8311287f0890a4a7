// libxcrypt (Debian's libcrypt): bcrypt hashes for etcd's user passwords.
#include <crypt.h>
