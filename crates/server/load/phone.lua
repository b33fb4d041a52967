-- wrk script for the reference server's load test (run.sh): POST the
-- gopay-phone vector (tests/vectors/real-world.json) to /api/phone-number,
-- each request under the next of the session tokens in $TOKENS (comma
-- separated: many users, as a real server sees), and print one RESULT line
-- at the end.
wrk.method = "POST"
wrk.body = '{"encryptedData":"Kf3TdPbzEmhWMuPKtlKxIWDkijhn402w1bxoHL4kLdcKr6jT1jNcIhvDJfjXmJcgDWLjmBiIGJ5acUuSvxLws3WgAkERmtTuiCG10CKLsJiR+AXVk7B2TUQzsq88YVilDz/YAN3647REE7glGmeBPfvUmdbfDzhL9BzvEiuRhABuCYyTMz4iaM8hFjbLB1caaeoOlykYAFMWC5pZi9P8uw==","iv":"Cds8j3VYoGvnTp1BrjXdJg=="}'
wrk.headers["Content-Type"] = "application/json"

local requests_made = 0
local headers = {}
for token in string.gmatch(os.getenv("TOKENS"), "[^,]+") do
  headers[#headers + 1] = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }
end

request = function()
  requests_made = requests_made % #headers + 1
  return wrk.format(nil, nil, headers[requests_made], wrk.body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), errors))
end
