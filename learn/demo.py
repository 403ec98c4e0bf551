"""The starter set of education articles (domain.md §10), loaded by `seed_demo`.

Written for this product: the figures are those of domain.md (the penalty rule of §3, the
worked example of §8, the arrangements of §9, the default relief policy of §6). Loading is
idempotent: an article whose slug exists is left as it is, so an edit made by ops survives
another run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from learn import services
from learn.models import Article, Tag

PENALTY_EN = """\
Penalty interest (罚息) is charged on an installment that is not paid on time. This is
exactly how it is worked out on your loans with us.

## The penalty rate

Your **penalty rate** is your contract's annual rate plus a markup, but never more than a cap:

> penalty rate = the smaller of *annual rate × (1 + markup)* and *the cap*

For most of our loans the markup is 50% and the cap is 24% a year. Your loan's page shows
the penalty rate of your own contract.

## The penalty for one day

> daily penalty = unpaid principal and interest of the installment × penalty rate ÷ 360

rounded to the nearest fen. Penalty is charged on principal and interest only, **never on
penalty**, so it does not compound.

## Which days count

- **Grace days.** If you pay an installment in full within the grace days after its due
  date (usually 3), there is no penalty at all.
- After the grace days, penalty counts **from the day after the due date** until the day
  you pay: an installment due on the 10th and paid on the 14th has 4 days of penalty.

## An example

An installment of ¥2,000.00 on a loan at 18% a year is not paid:

- penalty rate = the smaller of 18% × 1.5 = 27% and 24% → **24%**
- daily penalty = 2,000.00 × 24% ÷ 360 = **¥1.33**
- 20 days after the due date: 20 × 1.33 = **¥26.60**

## When you pay

A payment first covers penalty, then interest, then principal, oldest installment first.
Once the penalty is covered, the rest of a payment lowers the base, so each following day
costs less.

## If you cannot pay

If a hardship made you fall behind, open your loan and look at the relief estimate: it
says at once how much of the penalty could be waived and why. Asking costs nothing.
"""

PENALTY_ZH = """\
逾期未还的那一期会产生罚息。下面是我们这里罚息的具体算法。

## 罚息利率

**罚息利率**等于合同年利率加上一定比例的上浮，但不超过上限：

> 罚息利率 = *年利率 × (1 + 上浮比例)* 与 *上限* 两者中较小的一个

我们的大多数贷款上浮比例为 50%，上限为年化 24%。您的贷款页面会显示您本人合同的罚息利率。

## 一天的罚息

> 每天的罚息 = 该期未还本金和利息 × 罚息利率 ÷ 360

结果四舍五入到分。罚息只按本金和利息计算，**不对罚息再计罚息**，不会利滚利。

## 哪些天计算罚息

- **宽限期。** 在到期日后的宽限期内（通常为 3 天）还清该期，完全不收罚息。
- 超过宽限期才还清的，罚息**从到期日的次日起**算到您还款当天：10 日到期、14 日还清，计 4 天罚息。

## 举个例子

一笔年利率 18% 的贷款，有一期 2,000.00 元没有按时还：

- 罚息利率 = 18% × 1.5 = 27% 与 24% 中较小的一个 → **24%**
- 每天罚息 = 2,000.00 × 24% ÷ 360 = **1.33 元**
- 到期后第 20 天：20 × 1.33 = **26.60 元**

## 还款时怎么抵扣

每笔还款先还罚息，再还利息，最后还本金，从最早的一期开始。罚息还清之后，还款的其余部分会减少计罚息的基数，之后每天的罚息也随之减少。

## 如果实在还不上

如果是因为遇到困难而逾期，请打开您的贷款，看看罚息减免估算：它会马上告诉您大约能减免多少罚息、为什么。申请不收任何费用。
"""

CREDIT_EN = """\
Your **credit record** (征信) is kept by the **Credit Reference Center of the People's Bank
of China** (中国人民银行征信中心). Banks and other lenders read it before they lend to you,
so it is worth knowing what it holds and how to check it.

## What your credit report shows

- **Who you are**: name, ID, contact details and work, as lenders reported them.
- **Your credit**: loans and credit cards, what you owe and how you repaid, month by month,
  including late payments.
- **Public records** such as court judgments that concern you.
- **Enquiries**: who looked at your report, when and why.

Whether and what a lender reports is set by law and by your contract; your loan contract
with us says what we report. Relief lowers the penalty you owe; it does not erase the days
a loan was overdue from its repayment history.

## How long a late payment stays

Under the Regulation on the Administration of the Credit Reporting Industry
(《征信业管理条例》), negative information is kept for **5 years from the day the late
payment or other event ended** (for example, the day you repaid), then deleted.

## How to check it

- The same Regulation gives you the right to your own credit report **free of charge, at
  least twice a year**.
- You can ask for it online on the Center's official website, **www.pbccrc.org.cn** (type
  the address yourself), at the People's Bank of China's branches and their self-service
  machines, and through some banks' official apps. The Center's website says what each
  channel offers today.
- Checking your own report is recorded as an enquiry by yourself, not as a loan
  application.

## If something is wrong

If your report shows something that is not true, you can file an **objection** (异议) with
the Credit Reference Center or with the lender that reported it. The Regulation gives them
20 days to check it and answer you in writing.

## Be careful

- Nobody can pay to have a true record removed. Offers to "repair" or "clean" a credit
  record for a fee are scams (see our article on debt-relief agents).
- Never give your report's login, passwords or SMS codes to anyone.
"""

CREDIT_ZH = """\
您的**征信**记录由**中国人民银行征信中心**保存。银行和其他放贷机构在借钱给您之前会查看它，所以值得了解其中有什么、怎样查询。

## 信用报告里有什么

- **个人信息**：姓名、证件、联系方式和工作单位等，来自各机构报送的信息。
- **信贷记录**：贷款和信用卡，欠多少、每个月是怎么还的，包括逾期。
- **公共信息**：例如与您有关的法院判决等。
- **查询记录**：谁在什么时候、因为什么查看了您的报告。

机构是否报送、报送哪些信息，由法律法规和您的合同决定；您与我们的贷款合同中写明了我们报送的内容。罚息减免降低的是您要还的罚息，不会从还款记录中抹去贷款逾期的天数。

## 逾期记录保留多久

根据《征信业管理条例》，不良信息的保存期限为**自不良行为或者事件终止之日起 5 年**（例如从您还清之日起算），超过 5 年的应当删除。

## 怎样查询

- 同一条例规定，您有权**每年至少两次免费**获取本人的信用报告。
- 可以在征信中心官方网站 **www.pbccrc.org.cn** 在线申请（请自己输入网址），也可以到中国人民银行分支机构的柜台或自助查询机查询，部分银行的官方 App 也提供查询。各渠道目前的具体办法以征信中心网站为准。
- 查询本人的信用报告会记为"本人查询"，不属于贷款审批查询。

## 如果信息有误

如果报告中的信息与事实不符，您可以向征信中心或报送该信息的机构提出**异议**。按照条例，他们应当在 20 日内核查处理并书面答复您。

## 请注意

- 真实的记录不可能花钱删除。收费"修复征信""洗白征信"的都是骗局（见我们关于代理退息骗局的文章）。
- 不要把征信查询的账号、密码或短信验证码告诉任何人。
"""

BUDGET_EN = """\
A simple monthly budget is the best way to see a hard month coming before it arrives.

## Start with one page

1. **Money in**: what you receive each month, after tax, and on which day.
2. **Must-pay costs**: rent, utilities, food, transport, school, medicine.
3. **Installments**: each loan and card, with its **amount and due date**.
4. **The rest**: everything else.

If money in minus must-pay costs and installments is close to zero or below, act now,
not on the due date.

## Habits that help

- **Pay on payday.** Set your repayment for the day after your income arrives, or keep the
  installment aside as soon as it does.
- **Keep a buffer.** Even a few hundred yuan set aside covers a late salary or a small
  emergency, and keeps you inside the grace days.
- **Know your dates.** Put every due date in your phone's calendar. We also remind you
  three days before each one.
- **Look at the total cost** before you borrow: the interest over the whole loan, not only
  the monthly amount.
- **Do not borrow to repay.** A new loan to pay an old one usually costs more each month and
  makes the next month harder.

## When the numbers do not add up

Tell us early. Before an installment is late there are more options, and no penalty yet:
read "Ask for help early".
"""

BUDGET_ZH = """\
简单的月度预算，是提前发现"难熬的月份"的最好办法。

## 从一页纸开始

1. **收入**：每月税后到手多少，哪天到账。
2. **必要支出**：房租、水电、吃饭、交通、学费、药费。
3. **还款**：每笔贷款和信用卡，写明**金额和到期日**。
4. **其他**：其余所有开销。

如果收入减去必要支出和还款后接近零甚至为负，请现在就行动，不要等到到期日。

## 有用的习惯

- **发薪日就还款。** 把还款安排在收入到账的第二天，或者钱一到账就先把这一期留出来。
- **留一点备用金。** 哪怕只有几百元，也能应付工资晚发或小的意外，让您在宽限期内还上。
- **记住到期日。** 把每个到期日记在手机日历里。我们也会在每期到期前三天提醒您。
- **借钱前看总成本**：整个贷款期间的利息，而不只是每月还多少。
- **不要借新还旧。** 用新贷款还旧贷款，每月负担通常更重，下个月会更难。

## 如果算下来不够

请尽早告诉我们。在逾期之前，可选的办法更多，而且还没有罚息。请阅读《尽早求助》。
"""

EARLY_EN = """\
If a hardship means you may not be able to pay, the best time to tell us is **now**,
before or just after the due date.

## Why early is better

- **Penalty grows every day.** On a ¥2,000.00 installment at a 24% penalty rate that is
  ¥1.33 a day: ¥26.60 after 20 days, more after 60.
- **More options.** Before you fall behind you can still move your due dates (a deferral);
  once an installment is late you can also spread what is overdue over several months (see
  "Deferral and instalment plans").
- **A larger share of relief.** Under our current relief policy, the sooner you ask after the
  due date, the larger the part of the penalty that can be waived.

## What to do

1. **Open your loan** on this site. It shows what is overdue and the penalty on each
   installment.
2. **Look at the relief estimate.** Choose the reason that made you fall behind (illness,
   an accident, losing your job, a drop in income, a family emergency…). The estimate says
   at once how much of the penalty could be waived and why.
3. **Apply** with a few words and, if you have them, documents such as a hospital record or
   a termination letter (PDF or photos). Evidence a reviewer can verify can raise the
   share.
4. **Follow your application** on "My applications". Small, clear cases are approved at
   once; others are decided by a reviewer within 48 hours. If we need more information we
   ask you here.

Asking for help is **free**. You do it yourself on this site or our app, with no agent,
and nobody from us will ask for your passwords or SMS codes.
"""

EARLY_ZH = """\
如果遇到困难、可能还不上，告诉我们的最好时机是**现在**：到期之前，或者刚刚逾期的时候。

## 为什么越早越好

- **罚息每天都在增加。** 一期 2,000.00 元、罚息利率 24%，每天 1.33 元：20 天后 26.60 元，60 天后更多。
- **办法更多。** 在逾期之前，您还可以申请延期，把到期日往后推；逾期之后，还可以把逾期金额分成几个月还（见《延期还款和个性化分期》）。
- **可减免的比例更高。** 按我们现行的减免政策，逾期后越早申请，可以减免的罚息比例越高。

## 怎么做

1. 在本网站**打开您的贷款**，可以看到逾期金额和每一期的罚息。
2. **查看罚息减免估算。** 选择导致逾期的原因（生病、意外、失业、收入下降、家庭紧急情况等），估算会马上告诉您大约能减免多少罚息、为什么。
3. **提交申请**，简单说明情况；如果有材料，例如病历或解除劳动合同通知（PDF 或照片），请一并上传。审核人员能核实的材料可以提高减免比例。
4. 在"我的申请"中**查看进度**。简单明确的申请会立即批准，其他申请由审核人员在 48 小时内作出决定。如需补充材料，我们会在这里告诉您。

申请帮助**不收任何费用**，只能在本网站或我们的 App 上办理，不需要任何代理；我们的工作人员也绝不会向您索要密码或短信验证码。
"""

PLANS_EN = """\
When you cannot pay an installment, we may be able to change **when** you pay, not only how
much penalty you owe. There are two kinds of repayment arrangement (还款安排).

## Deferral (延期还款)

- Every unpaid installment of the loan moves **1, 2 or 3 months later**, on the same day of
  the month (or the month's last day).
- Penalty already charged stays (relief can waive it); **no new penalty** until a new due
  date passes.
- The extra months carry interest at your contract rate on the unpaid principal:
  unpaid principal × annual rate × 30 × months ÷ 360, added to the first moved installment.
- At most one deferral per loan in 12 months, and only up to 90 days past due.

## Instalment plan (个性化分期)

- What is overdue (principal, interest and the penalty left after any relief) is spread
  over **3, 6, 12, 24, 36 or 60 monthly payments**, the first one month after the start.
- The plan charges **no interest and no penalty** while you keep it. Installments that were
  not yet due continue as before.
- Each payment is the total divided by the number of months, rounded down to the fen; the
  last one takes the few fen left over, so they add up exactly.
- It needs at least ¥500.00 overdue.

**Example.** ¥2,000.00 overdue with ¥26.60 of penalty, of which 80% (¥21.28) is waived: a
plan covers ¥2,005.32, that is six payments of ¥334.22, or twelve of ¥167.11.

## Keeping the plan

If a plan payment is still unpaid **30 days** after its date, the plan ends: everything left
falls due that day, penalty starts again, and no new plan can be made on that loan for
12 months. We tell you when it happens.

## Choosing what you can afford

You may tell us your monthly income. An option whose monthly payment (with the loan's
regular installment) is more than half of it is shown as not affordable, with the figures,
so you choose a plan you can keep. A loan with an arrangement is marked as restructured
for 12 months.

Open your loan and look at your repayment options to see each one with its amounts and
dates before you choose.
"""

PLANS_ZH = """\
还不上某一期时，我们除了可以减免罚息，也可能调整您**什么时候**还。还款安排有两种。

## 延期还款

- 这笔贷款所有未还的期数**往后推 1、2 或 3 个月**，还款日不变（该月没有这一天的，改为当月最后一天）。
- 已经产生的罚息保留（可以通过罚息减免申请减免）；在新的到期日之前**不再产生罚息**。
- 延期的月份按合同利率对未还本金计息：未还本金 × 年利率 × 30 × 月数 ÷ 360，计入延期后的第一期。
- 同一笔贷款 12 个月内最多延期一次，且逾期不超过 90 天。

## 个性化分期

- 把逾期的金额（本金、利息，以及减免之后剩下的罚息）分成 **3、6、12、24、36 或 60 个月**还，第一期在开始后一个月。
- 按期还款期间，分期**不收利息，也不收罚息**。原本还没到期的期数照常还款。
- 每期金额为总额除以期数，向下取整到分；最后一期包含剩下的零头，各期相加正好等于总额。
- 逾期金额至少 500.00 元才能申请。

**例子。** 逾期 2,000.00 元，罚息 26.60 元，其中 80%（21.28 元）获得减免：分期总额为 2,005.32 元，分 6 期每期 334.22 元，或分 12 期每期 167.11 元。

## 按期还款

如果某一期分期款在到期后 **30 天**仍未还，分期即告终止：剩余的全部款项当天到期，重新开始计算罚息，这笔贷款 12 个月内不能再申请分期。分期终止时我们会通知您。

## 选择还得起的方案

您可以告诉我们您的月收入。如果某个方案每月要还的金额（加上这笔贷款原本每月的还款）超过月收入的一半，会标明"负担过重"并列出数字，帮助您选择能坚持下去的方案。办理还款安排的贷款会被标记为"已重组"，观察期 12 个月。

打开您的贷款，查看还款方案，可以在选择之前看到每个方案的金额和日期。
"""

SCAMS_EN = """\
Some people and "agencies" promise to get your interest refunded (代理退息), to defend your
rights against your lender (代理维权), to "optimise" your debts or to clean your credit
record, for a fee. They cannot do anything you cannot do yourself for free, and they often
leave people worse off.

## Warning signs

- They ask for an **upfront fee**, a "deposit", or a share of what they "save" you.
- They ask for your **passwords, SMS verification codes**, ID photos, bank card details, or
  to share your phone screen.
- They tell you to **stop paying** your lender, to change your phone number, or to send
  complaints they wrote for you.
- They promise a guaranteed result: "all interest back", "debt cancelled", "record removed".

## What happens to people who follow them

While you stop paying, penalty grows every day and late payments go on your credit record.
Your fee is gone. Your personal details may be used to take out loans in your name.

## How it works with us

- **Relief and repayment arrangements are free.** We never charge a fee for them.
- You apply yourself, on this site or our app. **No agent is needed.**
- We **never** ask for your passwords or SMS codes, by phone, message or in person.

## If someone contacts you

Do not pay and do not share any code. If you have already paid or shared your details,
report it to the police (110). You can complain about financial services to the National
Financial Regulatory Administration's hotline, 12378. Then tell us, so we can watch your
account.
"""

SCAMS_ZH = """\
有些人或"机构"声称可以帮您**代理退息**、**代理维权**、"债务优化"或"征信修复"，并收取费用。他们能做的，您自己都可以免费办理，而且他们常常让人陷入更糟的处境。

## 警惕这些信号

- 要求**先交费**、交"保证金"，或按"帮您省下的钱"抽成。
- 索要您的**密码、短信验证码**、身份证照片、银行卡信息，或者要求共享手机屏幕。
- 让您**停止还款**、更换手机号，或者让您照着他们写好的模板去投诉。
- 承诺"保证成功"："利息全退""债务全免""逾期记录删除"。

## 听信他们的后果

停止还款期间，罚息每天都在增加，逾期会被记入征信。交出去的钱拿不回来，您的个人信息还可能被用来冒名贷款。

## 在我们这里是怎样的

- **罚息减免和还款安排都是免费的**，我们不收取任何费用。
- 由您本人在本网站或我们的 App 上申请，**不需要任何代理**。
- 我们**绝不会**通过电话、短信或当面索要您的密码或短信验证码。

## 如果有人联系您

不要付钱，不要告诉对方任何验证码。如果已经付钱或泄露了个人信息，请向公安机关报案（110）。对金融服务的投诉可以拨打国家金融监督管理总局的热线 12378。然后请告诉我们，以便我们关注您的账户。
"""

ARTICLES = [
    {
        "slug": "how-penalty-works",
        "position": 10,
        "tags": (Tag.PENALTY,),
        "title_en": "How penalty is worked out",
        "title_zh_hans": "罚息是怎么算的",
        "summary_en": "The penalty rate, the daily amount, the grace days, and a worked example.",
        "summary_zh_hans": "罚息利率、每天的罚息、宽限期，以及一个完整的例子。",
        "body_en": PENALTY_EN,
        "body_zh_hans": PENALTY_ZH,
    },
    {
        "slug": "ask-for-help-early",
        "position": 20,
        "tags": (Tag.HARDSHIP_HELP,),
        "title_en": "Ask for help early",
        "title_zh_hans": "尽早求助",
        "summary_en": "Why telling us before or just after the due date gives you more options.",
        "summary_zh_hans": "为什么在到期前或刚逾期时告诉我们，可选的办法更多。",
        "body_en": EARLY_EN,
        "body_zh_hans": EARLY_ZH,
    },
    {
        "slug": "deferral-and-instalment-plans",
        "position": 30,
        "tags": (Tag.ARRANGEMENTS, Tag.HARDSHIP_HELP),
        "title_en": "Deferral and instalment plans",
        "title_zh_hans": "延期还款和个性化分期",
        "summary_en": "Moving your due dates, or spreading what is overdue over several months.",
        "summary_zh_hans": "把到期日往后推，或把逾期金额分成几个月还。",
        "body_en": PLANS_EN,
        "body_zh_hans": PLANS_ZH,
    },
    {
        "slug": "your-credit-record",
        "position": 40,
        "tags": (Tag.CREDIT_RECORD,),
        "title_en": "Your credit record (征信): what it shows and how to check it",
        "title_zh_hans": "征信：里面有什么，怎样查询",
        "summary_en": "What the People's Bank of China's credit report holds, and your rights.",
        "summary_zh_hans": "人民银行征信中心的信用报告包含哪些信息，以及您的权利。",
        "body_en": CREDIT_EN,
        "body_zh_hans": CREDIT_ZH,
    },
    {
        "slug": "budgeting-basics",
        "position": 50,
        "tags": (Tag.BUDGETING,),
        "title_en": "Budgeting basics",
        "title_zh_hans": "预算入门",
        "summary_en": "One page a month to see a hard month coming.",
        "summary_zh_hans": "每月一页纸，提前看到难熬的月份。",
        "body_en": BUDGET_EN,
        "body_zh_hans": BUDGET_ZH,
    },
    {
        "slug": "debt-relief-agent-scams",
        "position": 60,
        "tags": (Tag.DEBT_RELIEF_SCAMS, Tag.CREDIT_RECORD),
        "title_en": "Debt-relief agents: how to recognise the scam",
        "title_zh_hans": "代理退息骗局：怎样识别",
        "summary_en": 'Upfront fees, passwords, "stop paying": relief with us is free.',
        "summary_zh_hans": "先交费、要密码、让您停止还款：在我们这里申请减免是免费的。",
        "body_en": SCAMS_EN,
        "body_zh_hans": SCAMS_ZH,
    },
]


@transaction.atomic
def articles_load(log: Callable[[str], None] = lambda message: None) -> int:
    """Create the starter articles that do not exist yet, published; return how many."""
    created = 0
    for fields in ARTICLES:
        fields = dict(fields)
        tags = fields.pop("tags")
        article, new = Article.objects.get_or_create(
            slug=fields.pop("slug"), defaults={**fields, "published": True}
        )
        if new:
            services.article_tags_set(article=article, tags=tags)
            created += 1
    log(f"Education articles: {created} added, {len(ARTICLES) - created} already there.")
    return created
