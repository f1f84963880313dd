/**
 * The program that builds the sandbox from inside its fresh namespaces (README.md "Security",
 * "The sandbox"). `unshare` starts it as pid 1 of a new PID namespace in a new mount, IPC and
 * UTS namespace; it runs as root there (real root, or root of a user namespace) and:
 *
 * 1. binds the whole host tree at the new root and makes every mount of it read-only;
 * 2. lays an empty tmpfs over each hidden directory (home, temp directories, the runner's
 *    tool cache and work directory): what was under it cannot be reached any more;
 * 3. binds each exposed path (the repository, the driver scripts, the interpreter) back in,
 *    read-only, at its own path;
 *    A directory named in MIGRATION_GUARD_SANDBOX_SHARE is bound writable (tests use it to
 *    watch the migrations);
 * 4. masks single entries: a `.git` (the checkout's credentials) becomes an empty directory or
 *    /dev/null, and so do sockets and files that would give a way out (the Docker socket);
 *    The directory of the tool's database socket (src/sandbox/database-socket.ts) is bound at
 *    /tmp/.migration-guard-db: with `unshare --net` it is the only way to the database, and
 *    loopback the only interface;
 * 5. pivots into the new root, detaches the old one and mounts a /proc of the new PID
 *    namespace (only the sandbox's own processes are in it);
 * 6. starts the command as another user that cannot undo any of it: `setpriv` to an
 *    unprivileged uid with no capabilities and no_new_privs, or, in a user namespace, a nested
 *    user namespace, in which every mount made above is locked (mount_namespaces(7)).
 *
 * It stays as the namespace's init: it forwards SIGTERM/SIGINT to the command (an init has no
 * default signal actions) and exits with the command's status. When it dies, the kernel kills
 * every process left in the namespace.
 *
 * Arguments: root mode uid gid envfile cwd dbdir (`-`: none), then four counted lists (hidden, exposed,
 * shared read-write, masked), then `--` and the command. `mode` is `setpriv` or `userns`; `envfile` is `-` (the
 * environment is inherited) or a file of NUL-separated NAME=value pairs that replaces the
 * environment (under sudo, which resets it).
 */
export const SANDBOX_SCRIPT = String.raw`set -eu
root=$1 mode=$2 uid=$3 gid=$4 envfile=$5 cwd=$6 dbdir=$7; shift 7
if [ "$envfile" != - ]; then
  for name in $(compgen -e); do unset "$name" 2>/dev/null || true; done
  while IFS= read -r -d '' pair; do export "$pair" 2>/dev/null || true; done < "$envfile"
fi
user_path=$(printenv PATH || echo /usr/bin:/bin)
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$user_path
mount --rbind / "$root"
# Pseudo filesystems only root may write stay as they are unless the code runs as uid 0 (one
# mount process per mount is most of the sandbox's cost).
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1); break } }' /proc/self/mountinfo |
  while read -r point fstype; do
    case "$point" in "$root" | "$root"/*) ;; *) continue ;; esac
    case "$uid:$fstype" in
      0:*) ;;
      *:proc | *:sysfs | *:cgroup | *:cgroup2 | *:devpts | *:mqueue | *:securityfs | *:debugfs | *:tracefs | *:pstore | *:bpf | *:fusectl | *:configfs | *:binfmt_misc | *:hugetlbfs | *:autofs) continue ;;
    esac
    mount -o remount,bind,ro "$point" 2> /dev/null || true
  done
count=$1; shift
while [ "$count" -gt 0 ]; do
  if [ -d "$root$1" ]; then mount -t tmpfs -o mode=1777,nosuid,nodev mg-hidden "$root$1"; fi
  shift; count=$((count - 1))
done
count=$1; shift
while [ "$count" -gt 0 ]; do
  if [ -d "$1" ]; then mkdir -p "$root$1"; elif [ -e "$1" ] && [ ! -e "$root$1" ]; then
    mkdir -p "$(dirname "$root$1")"; : > "$root$1"; fi
  if [ -e "$1" ]; then mount -o bind,ro,nosuid,nodev "$1" "$root$1"; fi
  shift; count=$((count - 1))
done
count=$1; shift
while [ "$count" -gt 0 ]; do
  mkdir -p "$root$1"; mount -o bind,nosuid,nodev "$1" "$root$1"
  shift; count=$((count - 1))
done
count=$1; shift
while [ "$count" -gt 0 ]; do
  if [ -d "$root$1" ] && [ ! -L "$root$1" ]; then mount -t tmpfs -o ro,mode=0755 mg-masked "$root$1"
  elif [ -e "$root$1" ] && [ ! -L "$root$1" ]; then mount --bind /dev/null "$root$1"; fi
  shift; count=$((count - 1))
done
shift
if [ "$dbdir" != - ]; then
  mkdir -p "$root/tmp/.migration-guard-db"; mount -o bind,nosuid,nodev "$dbdir" "$root/tmp/.migration-guard-db"
fi
# In a network namespace of its own only loopback exists, down until brought up here.
ip link set lo up 2> /dev/null || true
mkdir -p "$root$cwd" 2> /dev/null || true
cd "$root"
pivot_root . .
umount -l .
mount -t proc -o nosuid,nodev,noexec proc /proc
cd "$cwd"
PATH=$user_path
if [ "$mode" = setpriv ]; then
  setpriv --reuid="$uid" --regid="$gid" --clear-groups --no-new-privs --inh-caps=-all \
    --bounding-set=-all -- "$@" <&0 &
else
  unshare --user --map-user=65534 --map-group=65534 -- "$@" <&0 &
fi
child=$!
trap 'kill -TERM "$child" 2> /dev/null || true' TERM INT HUP
set +e
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2> /dev/null || exit "$status"
done
`;
