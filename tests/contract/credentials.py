"""Makes one caller of every kind for the contract fuzzer and prints them, one a line:
`<name> <Authorization header value>`.

Logs in as the first admin (BASE, ADMIN_PASSWORD from the environment), makes a partner
organization, a user of every other role (the partner user working for that partner), logs
each in, and makes an API key holding `integration`. `logout` and `password` are users of their
own for the two operations that end or change the session they are called with, and `accounts`
an admin of its own for the operations on one user (a password reset ends that user's sessions,
and the fuzzer learns ids from answers, its own included), so every other run keeps its session
to the end. Standard library only.
"""
import json
import os
import sys
import urllib.request

BASE = os.environ["BASE"]
PASSWORD = "contract fuzzing user passphrase"
ROLES = ["coordinator", "supervisor", "analyst", "clinician", "auditor", "partner", "integration"]


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


def main():
    admin = login("admin", os.environ["ADMIN_PASSWORD"])
    partner = call("POST", "/api/v1/partners", {"name": "Fuzzing partner"}, admin)["id"]
    print("admin", f"Bearer {admin}")
    own = {"logout": "analyst", "password": "analyst", "accounts": "admin"}
    for role in ROLES + list(own):
        body = {
            "username": f"fuzz-{role}",
            "display_name": f"Fuzzing {role}",
            "roles": [own.get(role, role)],
            "password": PASSWORD,
        }
        if role == "partner":
            body["partner_id"] = partner
        call("POST", "/api/v1/users", body, admin)
        print(role, f"Bearer {login(body['username'], PASSWORD)}")
    key = call("POST", "/api/v1/api-keys", {"name": "fuzzing", "roles": ["integration"]}, admin)["key"]
    print("api-key", f"Bearer {key}")


if __name__ == "__main__":
    sys.exit(main())
