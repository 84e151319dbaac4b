"""Split sources into crawl shards so that no two shards ever share a host.

Why: politeness is per host. Sources that share any host (a county's site and its
departments' sub-sites on the same server) must be crawled by one worker; otherwise
shards are balanced by source count so many workers can crawl at once.
"""

from __future__ import annotations

from typing import Iterable, Mapping


def host_groups(hosts: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Source ids grouped so that sources sharing a host are together (connected components)."""
    parent: dict[str, str] = {sid: sid for sid in hosts}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for sid in sorted(hosts):
        for host in hosts[sid]:
            host = host.lower()
            if host in owner:
                parent[find(sid)] = find(owner[host])
            else:
                owner[host] = sid
    groups: dict[str, list[str]] = {}
    for sid in sorted(hosts):
        groups.setdefault(find(sid), []).append(sid)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def shard_sources(hosts: Mapping[str, Iterable[str]], shards: int) -> list[list[str]]:
    """At most ``shards`` non-empty shards, host-disjoint, balanced greedily by source count."""
    buckets: list[list[str]] = [[] for _ in range(max(1, shards))]
    for group in host_groups(hosts):
        min(buckets, key=len).extend(group)
    return [sorted(b) for b in buckets if b]
