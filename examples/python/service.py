"""A small accounts service whose list_accounts endpoint is slow.

Profile it with "Heatlens: Profile Current File": list_accounts holds most of the time, and its
callees show re.compile called 130 times (a fresh pattern per filter rule, compiled on every
request) costing about a third of the run.
"""
import json
import re

ACCOUNTS = [
    {"id": i, "name": f"user{i:05d}", "email": f"user{i:05d}@example.test", "tier": ("free", "pro", "team")[i % 3]}
    for i in range(30000)
]


def load_rules():
    """Filter rules as a config file would give them: one pattern per rule."""
    return [
        "|".join(
            rf"^(?:{word}[._-]?)+0*{n}\d*@(?:[a-z0-9-]+\.){{1,3}}(?:test|local|corp|example)$"
            for word in (
                "user", "admin", "ops", "billing", "support", "team", "guest", "audit",
                "sales", "dev", "qa", "hr", "legal", "infra", "data", "ml",
            )
        )
        for n in range(130)
    ]


def matches_any(account, patterns):
    email = account["email"]
    return any(p.match(email) for p in patterns)


def score(account):
    # Some per-account arithmetic, the honest part of the work.
    total = 0
    for _ in range(24):
        for ch in account["name"]:
            total = (total * 31 + ord(ch)) % 1_000_003
    return total


def list_accounts(tier):
    # The slow part: every request compiles every rule again, and re's cache is not big enough
    # to help once the rules change between requests.
    patterns = []
    for i, rule in enumerate(load_rules()):
        patterns.append(re.compile(rule + f"|^{tier}-{i}$"))
    result = []
    for account in ACCOUNTS:
        if account["tier"] == tier and matches_any(account, patterns):
            result.append({"id": account["id"], "score": score(account)})
    return result


def render(accounts):
    return json.dumps(accounts)


def handle(request):
    accounts = list_accounts(request["tier"])
    return render(accounts)


def other_endpoints():
    # The rest of the service: cheap but not free.
    total = 0
    for i in range(5_000_000):
        total += i % 7
    return total


if __name__ == "__main__":
    body = handle({"tier": "pro"})
    other_endpoints()
    print(f"{len(json.loads(body))} accounts listed")
