#!/usr/bin/env bash
# Installs, upgrades, rolls back or removes the PV Edge agent on a Raspberry Pi (64-bit Raspberry Pi OS / Debian 12).
#
#   sudo deploy/install.sh                  # build (or take --from DIR) and install, enable and start
#   sudo deploy/install.sh --upgrade        # install a new version; config, state and the previous version are kept
#   sudo deploy/install.sh --rollback       # go back to the previous version
#   sudo deploy/install.sh --uninstall      # stop and remove the program (config and state stay; --purge removes them too)
#
# Options: --from DIR (a `dotnet publish` output to install instead of building), --rid RID (default: this machine's,
# linux-arm64 on a Pi), --root DIR (install below DIR, for tests), --no-systemd (do not call systemctl or useradd).
# Idempotent: running it twice leaves the same system.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
mode=install from="" rid="" root="" systemd=1 purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --upgrade) mode=upgrade ;;
    --rollback) mode=rollback ;;
    --uninstall) mode=uninstall ;;
    --purge) purge=1 ;;
    --from) from=${2:?--from needs a folder}; shift ;;
    --rid) rid=${2:?--rid needs a runtime id such as linux-arm64}; shift ;;
    --root) root=${2:?--root needs a folder}; shift ;;
    --no-systemd) systemd=0 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

opt="$root/opt/edgeagent" etc="$root/etc/edgeagent" state="$root/var/lib/edgeagent" unitdir="$root/etc/systemd/system"
say() { echo "install.sh: $*"; }
sysd() { if [ "$systemd" = 1 ]; then systemctl "$@"; fi; }

if [ "$systemd" = 1 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo), or use --root DIR --no-systemd for a test install" >&2
  exit 2
fi

case "$mode" in
  rollback)
    [ -L "$opt/previous" ] || { echo "install.sh: no previous version under $opt to roll back to" >&2; exit 1; }
    prev=$(readlink "$opt/previous"); cur=$(readlink "$opt/current")
    ln -sfn "$prev" "$opt/current.new" && mv -T "$opt/current.new" "$opt/current"
    ln -sfn "$cur" "$opt/previous.new" && mv -T "$opt/previous.new" "$opt/previous"
    sysd restart edgeagent.service
    say "rolled back to $(basename "$prev") (the version before, $(basename "$cur"), is now the previous one)"
    exit 0 ;;
  uninstall)
    sysd disable --now edgeagent.service 2>/dev/null || true
    rm -f "$unitdir/edgeagent.service"
    sysd daemon-reload
    rm -rf "$opt"
    if [ "$purge" = 1 ]; then rm -rf "$etc" "$state"; say "removed program, configuration and state"; else say "removed the program; kept $etc and $state (--purge removes them)"; fi
    exit 0 ;;
esac

if [ -z "$from" ]; then
  if [ -z "$rid" ]; then
    case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; x86_64) rid=linux-x64 ;; armv7l) rid=linux-arm ;; *) echo "install.sh: unknown machine $(uname -m); give --rid" >&2; exit 2 ;; esac
  fi
  command -v dotnet >/dev/null || { echo "install.sh: dotnet SDK not found; install it or give --from DIR with a published build" >&2; exit 2; }
  from=$(mktemp -d)
  say "publishing a self-contained $rid build"
  dotnet publish "$repo/src/EdgeAgent/EdgeAgent.csproj" -c Release -r "$rid" --self-contained -o "$from" -p:DebugType=none >/dev/null
fi
[ -x "$from/edgeagent" ] || { echo "install.sh: $from/edgeagent not found or not executable (expected a 'dotnet publish' output)" >&2; exit 2; }

version=$("$from/edgeagent" --version 2>/dev/null | awk '{print $2}') || version=""
[ -n "$version" ] || version=unknown
release="$opt/releases/$version-$(date -u +%Y%m%dT%H%M%S%NZ)"

if [ "$mode" = install ] && [ -L "$opt/current" ] && cmp -s "$from/edgeagent.dll" "$(readlink -f "$opt/current")/edgeagent.dll" 2>/dev/null; then
  say "version $version is already installed; nothing to copy"
else
  mkdir -p "$opt/releases"
  cp -a "$from" "$release.tmp" && mv -T "$release.tmp" "$release"
  if [ -L "$opt/current" ]; then ln -sfn "$(readlink "$opt/current")" "$opt/previous.new" && mv -T "$opt/previous.new" "$opt/previous"; fi
  ln -sfn "$release" "$opt/current.new" && mv -T "$opt/current.new" "$opt/current"
  # Keep the current and previous releases only.
  for d in "$opt"/releases/*; do
    [ "$d" = "$(readlink "$opt/current")" ] || [ "$d" = "$(readlink "$opt/previous" 2>/dev/null)" ] || rm -rf "$d"
  done
  say "installed $version in $release"
fi

if [ "$systemd" = 1 ]; then
  for g in gpio i2c dialout; do getent group "$g" >/dev/null || groupadd --system "$g"; done
  id edgeagent >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgeagent --shell /usr/sbin/nologin --user-group edgeagent
  usermod -a -G gpio,i2c,dialout edgeagent
fi
mkdir -p "$etc" "$state" "$unitdir"
[ -f "$etc/edgeagent.json" ] || { cp "$here/edgeagent.sample.json" "$etc/edgeagent.json"; say "wrote a sample configuration to $etc/edgeagent.json: edit it (inverter address, MQTT broker)"; }
[ -f "$etc/edgeagent.env" ] || cp "$here/systemd/edgeagent.env" "$etc/edgeagent.env"
cp "$here/systemd/edgeagent.service" "$unitdir/edgeagent.service"
if [ "$systemd" = 1 ]; then
  chown -R root:edgeagent "$etc" && chmod 0750 "$etc"
  chown edgeagent:edgeagent "$state"
  systemctl daemon-reload
  systemctl enable edgeagent.service >/dev/null
  if [ "$mode" = upgrade ]; then systemctl restart edgeagent.service; else systemctl start edgeagent.service; fi
  say "edgeagent.service is $(systemctl is-active edgeagent.service); logs: journalctl -u edgeagent -f"
fi
