"""Demo expert profiles (演示数据), filled in by the demo seed."""


def seed(world):
    """Nothing yet: the demo profiles come with the pool pages."""
    return []
