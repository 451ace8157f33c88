"""Makes the caller a contract-fuzzer run is made as and prints its Authorization header value.

    python3 credentials.py NAME

NAME is `admin` (the first admin, logged in), a role (a new user of that role, logged in; a
partner user works for a new partner organization), `api-key` (a new key holding
`integration`), or one of the callers of their own: `logout` and `password` (analysts, for the
operations that end or change the session they are called with) and `accounts` (an admin, for
the operations on one user: a password reset ends that user's sessions, and the fuzzer learns
ids from answers, its own included). Each run gets a caller made just before it, so no run
starts with a token near its 15 minutes. BASE and ADMIN_PASSWORD come from the environment.
Standard library only.
"""
import json
import os
import sys
import urllib.request
import uuid

BASE = os.environ["BASE"]
PASSWORD = "contract fuzzing user passphrase"
ROLES = {"coordinator", "supervisor", "analyst", "clinician", "auditor", "partner", "integration"}
OWN = {"logout": "analyst", "password": "analyst", "accounts": "admin"}


def call(method, path, body=None, token=None):
    request = urllib.request.Request(BASE + path, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(request, data) as response:
        return json.load(response)


def login(username, password):
    return call("POST", "/api/v1/auth/login", {"username": username, "password": password})["access_token"]


def main(name):
    admin = login("admin", os.environ["ADMIN_PASSWORD"])
    suffix = uuid.uuid4().hex[:8]
    if name == "admin":
        return admin
    if name == "api-key":
        return call("POST", "/api/v1/api-keys", {"name": f"fuzzing-{suffix}", "roles": ["integration"]}, admin)["key"]
    if name not in ROLES and name not in OWN:
        sys.exit(f"credentials: no caller named {name!r}")
    role = OWN.get(name, name)
    body = {
        "username": f"fuzz-{name}-{suffix}",
        "display_name": f"Fuzzing {name}",
        "roles": [role],
        "password": PASSWORD,
    }
    if role == "partner":
        body["partner_id"] = call("POST", "/api/v1/partners", {"name": f"Fuzzing partner {suffix}"}, admin)["id"]
    call("POST", "/api/v1/users", body, admin)
    return login(body["username"], PASSWORD)


if __name__ == "__main__":
    print(f"Bearer {main(sys.argv[1])}")
