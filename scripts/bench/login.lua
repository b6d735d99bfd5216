-- A login flood: every request is a correct password check (argon2id on the server).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"alice","password":"wonderland"}'
dofile("scripts/bench/report.lua")
