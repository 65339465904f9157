# Sourced, not run: `ensure_packages PACKAGE...` installs with apt-get those
# of the Debian packages given that are not installed yet (sudo when not
# root), and does nothing when all are. The one place ops/ scripts install from.
ensure_packages() {
  local missing=() package sudo=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]} > 0)) || return 0
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
