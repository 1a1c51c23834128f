"""Fake data the emulators share: Vietnamese names, places, products, VND amounts.

The generators draw from the random source in a fixed order: a given seed gives
the same data as before these helpers were shared.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_NAMES = [
    "Văn",
    "Thị",
    "Minh",
    "Ngọc",
    "Thanh",
    "Hoàng",
    "Đức",
    "Thu",
    "Quang",
    "Hữu",
    "Bảo",
    "Gia",
]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Nhung",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Vy",
    "Yến",
]
LOCATIONS = [
    ("Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường Tân Định", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường Võ Thị Sáu", "Quận 3", "TP. Hồ Chí Minh"),
    ("Phường Thảo Điền", "TP. Thủ Đức", "TP. Hồ Chí Minh"),
    ("Phường Hàng Bạc", "Quận Hoàn Kiếm", "Hà Nội"),
    ("Phường Dịch Vọng", "Quận Cầu Giấy", "Hà Nội"),
    ("Phường Kim Mã", "Quận Ba Đình", "Hà Nội"),
    ("Phường Hải Châu I", "Quận Hải Châu", "Đà Nẵng"),
    ("Phường An Hải Bắc", "Quận Sơn Trà", "Đà Nẵng"),
    ("Phường Xuân Khánh", "Quận Ninh Kiều", "Cần Thơ"),
    ("Phường Lê Lợi", "Quận Ngô Quyền", "Hải Phòng"),
    ("Xã Phong Thạnh Tây B", "Huyện Phước Long", "Bạc Liêu"),
    ("Phường Vĩnh Phước", "TP. Nha Trang", "Khánh Hòa"),
    ("Thị trấn Long Thành", "Huyện Long Thành", "Đồng Nai"),
]
STREETS = [
    "Nguyễn Huệ",
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Phan Chu Trinh",
    "Điện Biên Phủ",
    "Nguyễn Trãi",
    "Cách Mạng Tháng 8",
    "Lê Duẩn",
]
PRODUCTS = [
    ("Áo thun cotton", 159000, ["Trắng", "Đen", "Xám"]),
    ("Quần jean nam", 399000, ["29", "30", "31", "32"]),
    ("Dép tông cao su", 59000, ["38", "39", "40", "41"]),
    ("Nón bảo hiểm 3/4", 250000, ["Đỏ", "Đen"]),
    ("Bình giữ nhiệt 500ml", 189000, ["Xanh", "Hồng"]),
    ("Cà phê hòa tan hộp 18 gói", 65000, []),
    ("Kem chống nắng SPF50 50ml", 275000, []),
    ("Tai nghe Bluetooth", 490000, ["Trắng", "Đen"]),
    ("Sạc dự phòng 10000mAh", 320000, []),
    ("Ốp lưng điện thoại", 49000, ["iPhone 13", "iPhone 14", "Galaxy S23"]),
]


def round_k(value: float) -> int:
    """Round to a multiple of 1,000 VND (at least 1,000)."""
    return max(1000, round(value / 1000.0) * 1000)


def split_k(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split a multiple of 1,000 into ``parts`` multiples of 1,000."""
    units = total // 1000
    cuts = sorted(rng.randint(0, units) for _ in range(parts - 1))
    bounds = [0, *cuts, units]
    return [(bounds[i + 1] - bounds[i]) * 1000 for i in range(parts)]


def person_name(rng: random.Random) -> tuple[str, str, str]:
    """A Vietnamese name: family, middle and given name."""
    return rng.choice(FAMILY_NAMES), rng.choice(MIDDLE_NAMES), rng.choice(GIVEN_NAMES)


def street_of(rng: random.Random) -> str:
    """A house number and a street."""
    return f"{rng.randint(1, 300)} {rng.choice(STREETS)}"


def creation_times(
    rng: random.Random, n: int, start: datetime, span: timedelta
) -> Iterator[tuple[int, datetime]]:
    """``(index, created)`` for ``n`` orders spread over ``[start, start + span]``.

    Lazy: each time is drawn just before its order is generated, so the random
    source is consumed in the same order as a loop drawing it inline.
    """
    for index in range(n):
        yield index, start + timedelta(seconds=rng.uniform(0, span.total_seconds()))


def digits(rng: random.Random, n: int) -> str:
    """``n`` random decimal digits."""
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def mobile(rng: random.Random, prefix: str) -> str:
    """A Vietnamese mobile number after ``prefix`` ("0", "84", "(+84)")."""
    return prefix + rng.choice("35789") + digits(rng, 8)
