"""Approximate distances between Belgian postcodes, without any external service.

Belgian postcodes are geographic: the first two digits name a zone (10-12 Brussels, 40-49 the
province of Liège, 60-65 Charleroi and the south of Hainaut, 75 Tournai…). ``ZONES`` gives an
approximate centre for each zone (a town of the zone, rounded): good enough to order sites
"nearest first" (the error is ~10-20 km, the distances between the training sites of the seeds
are 40-150 km). A site's own latitude/longitude wins when it is filled in.
"""

from __future__ import annotations

import math
import re

Point = tuple[float, float]

ZONES: dict[str, Point] = {
    # Brussels-Capital
    "10": (50.85, 4.35), "11": (50.83, 4.41), "12": (50.84, 4.40),
    # Walloon Brabant
    "13": (50.72, 4.62), "14": (50.60, 4.35),
    # Flemish Brabant (Halle-Vilvoorde) and Leuven
    "15": (50.73, 4.24), "16": (50.78, 4.22), "17": (50.87, 4.19), "18": (50.93, 4.43),
    "19": (50.86, 4.52), "30": (50.88, 4.70), "31": (50.95, 4.72), "32": (50.98, 4.84),
    "33": (50.81, 4.94), "34": (50.75, 5.08),
    # Antwerp
    "20": (51.22, 4.40), "21": (51.22, 4.45), "22": (51.18, 4.83), "23": (51.32, 4.95),
    "24": (51.19, 5.12), "25": (51.13, 4.57), "26": (51.16, 4.45), "28": (51.03, 4.48),
    "29": (51.30, 4.50),
    # Limburg
    "35": (50.93, 5.34), "36": (50.97, 5.50), "37": (50.78, 5.46), "38": (50.82, 5.19),
    "39": (51.20, 5.40),
    # Liège
    "40": (50.63, 5.57), "41": (50.58, 5.55), "42": (50.67, 5.25), "43": (50.70, 5.25),
    "44": (50.60, 5.46), "45": (50.52, 5.24), "46": (50.73, 5.69), "47": (50.63, 6.03),
    "48": (50.59, 5.86), "49": (50.45, 5.95),
    # Namur
    "50": (50.47, 4.87), "51": (50.42, 4.75), "52": (50.47, 4.70), "53": (50.49, 5.10),
    "54": (50.38, 4.95), "55": (50.26, 4.91), "56": (50.10, 4.50),
    # Hainaut (Charleroi, Thuin, Chimay) and Luxembourg
    "60": (50.41, 4.44), "61": (50.40, 4.33), "62": (50.45, 4.55), "63": (50.35, 4.50),
    "64": (50.13, 4.30), "65": (50.30, 4.25), "66": (50.00, 5.72), "67": (49.68, 5.82),
    "68": (49.92, 5.38), "69": (50.23, 5.34),
    # Hainaut (Mons, La Louvière, Borinage, Tournai, Mouscron, Ath)
    "70": (50.45, 3.95), "71": (50.48, 4.19), "72": (50.44, 3.82), "73": (50.43, 3.80),
    "74": (50.47, 3.85), "75": (50.61, 3.39), "76": (50.51, 3.59), "77": (50.74, 3.21),
    "78": (50.63, 3.78), "79": (50.60, 3.62),
    # West Flanders
    "80": (51.21, 3.22), "81": (51.20, 3.10), "82": (51.17, 3.20), "83": (51.34, 3.28),
    "84": (51.22, 2.92), "85": (50.83, 3.26), "86": (51.03, 2.86), "87": (51.00, 3.33),
    "88": (50.95, 3.12), "89": (50.85, 2.88),
    # East Flanders
    "90": (51.05, 3.72), "91": (51.16, 4.14), "92": (51.03, 4.10), "93": (50.94, 4.04),
    "94": (50.83, 4.02), "95": (50.77, 3.88), "96": (50.85, 3.60), "97": (50.85, 3.61),
    "98": (50.98, 3.53), "99": (51.19, 3.56),
}  # fmt: skip

_POSTCODE = re.compile(r"^\s*(?:B-?)?(\d{4})\s*$", re.IGNORECASE)


def point_of_postcode(postcode: str) -> Point | None:
    """The approximate centre of a Belgian postcode's zone, or None if it isn't one."""
    match = _POSTCODE.match(postcode or "")
    if not match:
        return None
    return ZONES.get(match.group(1)[:2])


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
