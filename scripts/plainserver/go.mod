module broadsheet-bench/plainserver

go 1.26.8
