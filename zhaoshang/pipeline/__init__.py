"""The life of a project and the work around it: stages, contacts (对接记录), funds in place
(到位资金), responsibility (包保领导、项目管家、服务专班、五要件), approvals (前期手续),
warnings (项目保：超期、停滞、久未对接、跟进逾期), the problem ledger (升级、会办、销号率)
and policy matching (政策匹配).

One small module per topic; each takes an open :class:`~zhaoshang.db.Database`, returns
data and never prints.  Functions that depend on "today" take it as a parameter.

For reports: :func:`zhaoshang.stages.first_reached` and
:func:`zhaoshang.stages.reached_sql` count a project once per stage, on the first
day it reached that stage (or a later one), whatever happened after.
"""
