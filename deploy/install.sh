#!/usr/bin/env bash
# Installs, upgrades, rolls back or removes the PV Edge agent on a Raspberry Pi (64-bit Raspberry Pi OS / Debian 12).
#
#   sudo deploy/install.sh                  # build (or take --from DIR) and install, enable and start
#   sudo deploy/install.sh --upgrade        # install a new version; config, state and the previous version are kept
#   sudo deploy/install.sh --rollback       # go back to the previous version
#   sudo deploy/install.sh --uninstall      # stop and remove the program (config and state stay; add --purge to remove them too)
#
# Options: --from DIR (a `dotnet publish` output to install instead of building), --rid RID (default: this machine's,
# linux-arm64 on a Pi), --root DIR (install below DIR, for tests), --no-systemd (do not call systemctl, useradd or chown).
# Idempotent: running it twice leaves the same system. Layout: /opt/edgeagent/releases/<version>-<time>/, with the relative
# symlinks current and previous switched atomically (rename), so a power cut leaves one or the other, never a half-copied program.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
mode=install from="" rid="" root="" systemd=1 purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --upgrade) mode=upgrade ;;
    --rollback) mode=rollback ;;
    --uninstall) mode=uninstall ;;
    --purge) mode=uninstall purge=1 ;;
    --from) from=${2:?--from needs a folder}; shift ;;
    --rid) rid=${2:?--rid needs a runtime id such as linux-arm64}; shift ;;
    --root) root=${2:?--root needs a folder}; shift ;;
    --no-systemd) systemd=0 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

opt="$root/opt/edgeagent" etc="$root/etc/edgeagent" state="$root/var/lib/edgeagent" unitdir="$root/etc/systemd/system"
say() { echo "install.sh: $*"; }
die() { echo "install.sh: $*" >&2; exit "${2:-1}"; }
sysd() { if [ "$systemd" = 1 ]; then systemctl "$@"; fi; }
# Points the symlink $1 at $2 (relative to $opt) atomically: a new link renamed over the old one.
relink() { ln -sfn "$2" "$opt/$1.new" && mv -T "$opt/$1.new" "$opt/$1"; }
target() { readlink "$opt/$1" 2>/dev/null || true; }

if [ "$systemd" = 1 ] && [ "$(id -u)" != 0 ]; then
  die "run as root (sudo), or use --root DIR --no-systemd for a test install" 2
fi

case "$mode" in
  rollback)
    prev=$(target previous) cur=$(target current)
    [ -n "$prev" ] && [ -d "$opt/$prev" ] || die "no previous version under $opt to roll back to"
    relink current "$prev"
    relink previous "$cur"
    sysd restart edgeagent.service
    say "rolled back to $(basename "$prev") (the version before, $(basename "$cur"), is now the previous one)"
    exit 0 ;;
  uninstall)
    sysd disable --now edgeagent.service 2>/dev/null || true
    rm -f "$unitdir/edgeagent.service"
    sysd daemon-reload
    rm -rf "$opt"
    if [ "$purge" = 1 ]; then
      rm -rf "$etc" "$state"
      if [ "$systemd" = 1 ] && id edgeagent >/dev/null 2>&1; then userdel edgeagent || true; say "removed the edgeagent user"; fi
      say "removed program, configuration and state"
    else
      say "removed the program; kept $etc and $state (--purge removes them)"
    fi
    exit 0 ;;
esac

if [ -z "$from" ]; then
  if [ -z "$rid" ]; then
    case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; x86_64) rid=linux-x64 ;; armv7l) rid=linux-arm ;; *) die "unknown machine $(uname -m); give --rid" 2 ;; esac
  fi
  command -v dotnet >/dev/null || die "dotnet SDK not found; install it or give --from DIR with a published build" 2
  from=$(mktemp -d)
  trap 'rm -rf "$from"' EXIT
  say "publishing a self-contained $rid build (a few minutes on a Pi)"
  dotnet publish "$repo/src/EdgeAgent/EdgeAgent.csproj" -c Release -r "$rid" --self-contained -o "$from" -p:DebugType=none >/dev/null
fi
[ -x "$from/edgeagent" ] || die "$from/edgeagent not found or not executable (expected a 'dotnet publish' output)" 2
[ -f "$from/edgeagent.dll" ] || die "$from/edgeagent.dll not found (expected a 'dotnet publish' output)" 2

# The version as the program reports it ("edgeagent 0.1.0+abc123"); a build for another CPU cannot run here: "unknown".
runs_here=1
version=$("$from/edgeagent" --version 2>/dev/null | awk 'NR==1 {print $2}') || version=""
if [ -z "$version" ]; then version=unknown runs_here=0; fi
cur=$(target current)

mkdir -p "$etc" "$state" "$unitdir"
[ -f "$etc/edgeagent.json" ] || { cp "$here/edgeagent.sample.json" "$etc/edgeagent.json"; say "wrote a sample configuration to $etc/edgeagent.json: edit it (site, MQTT broker, inverter)"; }
[ -f "$etc/edgeagent.env" ] || cp "$here/systemd/edgeagent.env" "$etc/edgeagent.env"

# The build in use already (every file the same; edgeagent.dll first, the cheap and usual difference): nothing to do, for an install
# and for an upgrade alike. Copying it again would make the running build the previous one and delete the real previous version,
# leaving --rollback nothing to go back to.
if [ -n "$cur" ] && [ -d "$opt/$cur" ] && cmp -s "$from/edgeagent.dll" "$opt/$cur/edgeagent.dll" && diff -rq "$from" "$opt/$cur" >/dev/null 2>&1; then
  prev=$(target previous)
  say "version $version is already installed in $opt/$cur; nothing to copy${prev:+ (previous, kept for --rollback: $(basename "$prev"))}"
  changed=0
else
  changed=1
  # Refuse a build that rejects the configuration in place: the running version stays.
  if [ "$runs_here" = 1 ] && ! "$from/edgeagent" check-config --config "$etc/edgeagent.json" >/dev/null; then
    die "version $version rejects $etc/edgeagent.json (see the line above); nothing changed" 2
  fi
  name="${version%%+*}-$(date -u +%Y%m%dT%H%M%S%NZ)"
  mkdir -p "$opt/releases"
  rm -rf "$opt/releases/$name.tmp"
  cp -a "$from" "$opt/releases/$name.tmp"
  sync -f "$opt/releases/$name.tmp" 2>/dev/null || sync
  mv -T "$opt/releases/$name.tmp" "$opt/releases/$name"
  if [ -n "$cur" ]; then relink previous "$cur"; fi
  relink current "releases/$name"
  sync -f "$opt" 2>/dev/null || sync
  # Keep the current and previous releases only (and no leftovers of an interrupted copy).
  prev=$(target previous)
  for d in "$opt"/releases/*; do
    rel="releases/$(basename "$d")"
    [ "$rel" = "releases/$name" ] || [ "$rel" = "$prev" ] || rm -rf "$d"
  done
  say "installed $version in $opt/releases/$name${prev:+ (previous: $(basename "$prev"))}"
fi
[ ! -f "$here/README.md" ] || cp "$here/README.md" "$opt/README.md"
cp "$here/systemd/edgeagent.service" "$unitdir/edgeagent.service"

if [ "$systemd" = 1 ]; then
  for g in gpio i2c dialout; do getent group "$g" >/dev/null || groupadd --system "$g"; done
  id edgeagent >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgeagent --no-create-home --shell /usr/sbin/nologin --user-group edgeagent
  usermod -a -G gpio,i2c,dialout edgeagent
  chown -R root:edgeagent "$etc" && chmod 0750 "$etc" && chmod 0640 "$etc"/*
  chown -R edgeagent:edgeagent "$state"
  systemctl daemon-reload
  systemctl enable edgeagent.service >/dev/null
  if [ "$changed" = 1 ]; then systemctl restart edgeagent.service; else systemctl start edgeagent.service; fi
  say "edgeagent.service is $(systemctl is-active edgeagent.service || true); logs: journalctl -u edgeagent -f"
fi
