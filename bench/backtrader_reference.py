#!/usr/bin/env python3
"""The backtrader reference: the same dual-SMA crossover as `backtestd run
--strategy dual_sma` (SMA 10 / SMA 30 of closes, stop-and-reverse between
+1 and -1 contract, market orders filled at the next bar's open), on the
same CSV file, as a whole process. Prints one JSON line with the number of
closed trades, so the two runs can be checked to have traded alike.

backtrader is pure Python and not a Debian package: clone it (any recent
commit; measured with 1.9.78.123) and pass its checkout:

    git clone https://github.com/mementum/backtrader /tmp/backtrader
    python3 bench/backtrader_reference.py /tmp/backtrader FILE.csv
"""
import json
import sys
import time


def main():
    sys.path.insert(0, sys.argv[1])
    import backtrader as bt

    class DualSMA(bt.Strategy):
        params = dict(fast=10, slow=30)

        def __init__(self):
            fast = bt.indicators.SMA(self.data.close, period=self.p.fast)
            slow = bt.indicators.SMA(self.data.close, period=self.p.slow)
            # CrossOver carries the last non-zero difference: a tie neither
            # fires nor resets it, as in backtestd.
            self.cross = bt.indicators.CrossOver(fast, slow)

        def next(self):
            if self.cross[0] > 0:
                self.order_target_size(target=1)
            elif self.cross[0] < 0:
                self.order_target_size(target=-1)

    t0 = time.perf_counter()
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.GenericCSVData(
        dataname=sys.argv[2], dtformat="%Y-%m-%dT%H:%M:%SZ", timeframe=bt.TimeFrame.Minutes,
        compression=60, datetime=0, open=1, high=2, low=3, close=4, volume=5, openinterest=-1))
    cerebro.addstrategy(DualSMA)
    cerebro.addanalyzer(bt.analyzers.TradeAnalyzer, _name="trades")
    cerebro.broker.setcash(1e9)
    strategy = cerebro.run()[0]
    closed = strategy.analyzers.trades.get_analysis().get("total", {}).get("closed", 0)
    print(json.dumps({"closed_trades": closed,
                      "seconds": round(time.perf_counter() - t0, 3)}))


if __name__ == "__main__":
    main()
