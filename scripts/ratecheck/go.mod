module broadsheet-bench/ratecheck

go 1.26.8
