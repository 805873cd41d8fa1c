-- wrk script for the quote scenario of bench/run.py: POST /v1/quotes with a 10-line quote.
-- The body (between the long brackets) is also what bench/run.py times in process.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[
{
  "owner": "region-jonkoping",
  "patient": {
    "birth_date": "1955-04-02",
    "stb_eligible": true,
    "atb_available": "600.00",
    "period": {"start": "2025-11-03", "counted": "2080.00"}
  },
  "lines": [
    {"code": "101", "quantity": 1, "date": "2025-11-20"},
    {"code": "121", "quantity": 2, "date": "2025-11-20"},
    {"code": "206", "quantity": 1, "date": "2025-11-20"},
    {"code": "301", "quantity": 1, "at": "2025-12-24T19:30:00+01:00"},
    {"code": "501", "quantity": 1, "date": "2026-02-10", "variant": "normal"},
    {"code": "342", "quantity": 1, "date": "2026-02-10"},
    {"code": "701", "quantity": 1, "date": "2026-02-10", "tooth_position": 2},
    {"code": "801", "quantity": 1, "date": "2026-03-02", "tooth_position": 6},
    {"code": "103S", "quantity": 1, "date": "2026-03-02", "specialist_referral": true},
    {"code": "A11", "quantity": 1, "date": "2026-03-02"}
  ]
}
]]
