"""Demo tenders (演示数据): placeholder replaced below."""


def seed(world):
    return []
