"""Reading values typed by people: money, dates, months, quarters, periods, flags, names.

Everything here is pure (no I/O, no printing) and raises :class:`ParseError` with a short
Simplified Chinese message that quotes the offending value in 「」 and says which form is
accepted.  Only the standard library is used; ``decimal`` is imported on first use so that
importing this module stays cheap.
"""

from __future__ import annotations

import datetime
import re

from zhaoshang.errors import ParseError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import decimal

__all__ = [
    "MONEY_UNITS",
    "format_money",
    "month_bounds",
    "normalize_key",
    "normalize_name",
    "parse_bool",
    "parse_date",
    "parse_int",
    "parse_money",
    "parse_month",
    "parse_period",
    "parse_quarter",
    "quarter_bounds",
    "split_assignment",
    "to_halfwidth",
    "to_simplified",
]

# --------------------------------------------------------------------------- width & script

# U+FF01..U+FF5E are the full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_HALFWIDTH: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20


def to_halfwidth(s: str) -> str:
    """Full-width ASCII (０-９, Ａ-Ｚ, ．，：＝－／ …) and the ideographic space to ASCII."""
    return s.translate(_HALFWIDTH)


# Traditional -> simplified, one character to one character.  Each token is 繁简.  Characters
# whose traditional form is also a standard simplified character with another meaning
# (乾 著 徵 藉 瞭 覆 彷 …) are deliberately left out.  No simplified form is itself a key, so
# the conversion is idempotent.
_T2S_PAIRS = """
麼么 麽么 會会 計计 劃划 項项 資资 額额 億亿 萬万 業业 產产 産产 鏈链 關关 聯联 單单 責责
間间 開开 設设 發发 區区 縣县 處处 級级 簽签 籤签 約约 統统 動动 態态 問问 題题 決决 審审
規规 許许 證证 証证 書书 節节 點点 預预 紅红 燈灯 黃黄 號号 銷销 據据 庫库 撥拨 話话 電电
碼码 繫系 係系 絡络 員员 領领 導导 組组 長长 協协 調调 環环 護护 務务 財财 稅税 貸贷 標标
準准 獎奖 奬奖 懲惩 場场 專专 議议 內内 條条 與与 為为 爲为 這这 們们 個个 來来 時时 東东
車车 門门 馬马 鐵铁 風风 雲云 氣气 體体 讀读 寫写 樣样 當当 經经 濟济 際际 貿贸 圖图 譜谱
廣广 龍龙 粵粤 亞亚 視视 頻频 冊册 鄉乡 賢贤 傑杰 歸归 屬属 園园 臺台 檯台 颱台 灣湾 鋼钢
銅铜 礦矿 煉炼 糧粮 農农 藥药 醫医 療疗 數数 網网 線线 綫线 輛辆 機机 儲储 熱热 陽阳 陰阴
萬万 與与 專专 叢丛 絲丝 兩两 嚴严 喪丧 豐丰 臨临 麗丽 舉举 義义 烏乌 樂乐 喬乔 習习 買买
亂乱 爭争 於于 虧亏 畝亩 親亲 僅仅 從从 侖仑 倉仓 儀仪 眾众 衆众 優优 夥伙 傘伞 偉伟 傳传
傷伤 倫伦 偽伪 僞伪 餘余 傭佣 俠侠 侶侣 偵侦 側侧 僑侨 儂侬 兒儿 兌兑 黨党 蘭兰 興兴 茲兹
養养 獸兽 岡冈 軍军 馮冯 沖冲 衝冲 況况 凍冻 淨净 凈净 涼凉 減减 湊凑 幾几 鳳凤 憑凭 凱凯
擊击 鑿凿 劉刘 則则 剛刚 創创 刪删 別别 剎刹 劑剂 劍剑 剝剥 劇剧 勸劝 辦办 勵励 勁劲 勞劳
勢势 勳勋 勛勋 勻匀 匯汇 彙汇 滙汇 匱匮 華华 賣卖 盧卢 衛卫 卻却 廠厂 廳厅 曆历 歷历 厲厉
壓压 厭厌 廁厕 廂厢 廈厦 廚厨 參参 雙双 變变 敘叙 疊叠 葉叶 嘆叹 歎叹 嚇吓 呂吕 嗎吗 噸吨
聽听 啟启 啓启 吳吴 嘔呕 嗆呛 嗚呜 詠咏 喚唤 囑嘱 團团 糰团 圍围 圓圆 國国 塊块 壞坏 墳坟
壘垒 壩坝 墊垫 牆墙 墻墙 壯壮 聲声 殼壳 壺壶 壽寿 備备 復复 複复 夠够 夢梦 夾夹 奪夺 奮奋
奧奥 婦妇 媽妈 嬌娇 孫孙 學学 寧宁 寶宝 實实 寵宠 寬宽 將将 尋寻 對对 屆届 屍尸 層层 屢屡
峽峡 島岛 嶺岭 嶽岳 巖岩 鞏巩 幣币 帥帅 師师 帳帐 帶带 幫帮 幹干 慶庆 廢废 廟庙 彈弹 強强
彎弯 錄录 録录 彥彦 徑径 徹彻 惡恶 悅悦 惱恼 愛爱 慣惯 憂忧 憐怜 應应 懇恳 懷怀 懸悬 戀恋
戰战 戲戏 戶户 擴扩 擬拟 擇择 擁拥 擔担 擾扰 攝摄 攜携 撫抚 換换 掃扫 揚扬 搶抢 撐撑 擋挡
擠挤 攤摊 攔拦 攪搅 擺摆 擲掷 撲扑 揀拣 損损 搖摇 攬揽 報报 執执 舊旧 晝昼 顯显 曉晓 暢畅
暫暂 構构 極极 楊杨 槍枪 樓楼 樞枢 橋桥 橫横 檢检 櫃柜 權权 歐欧 歡欢 歲岁 殘残 殺杀 毀毁
漢汉 滅灭 湯汤 溝沟 滬沪 滿满 漁渔 潔洁 澤泽 濃浓 濕湿 溼湿 灘滩 災灾 無无 煙烟 燈灯 營营
燒烧 燦灿 爐炉 爺爷 爾尔 狀状 獨独 獲获 穫获 獵猎 獻献 現现 瑣琐 璽玺 畫画 異异 盡尽 儘尽
監监 盤盘 睜睁 礎础 確确 礙碍 祿禄 禍祸 禮礼 禪禅 種种 稱称 穩稳 積积 窮穷 竊窃 競竞 筆笔
範范 築筑 簡简 籃篮 籌筹 類类 緊紧 羅罗 聖圣 聞闻 聰聪 職职 腎肾 腦脑 膚肤 臉脸 臟脏 髒脏
艱艰 藝艺 虛虚 蟲虫 蠶蚕 術术 補补 裝装 製制 襪袜 覽览 觸触 豬猪 貓猫 趕赶 趙赵 躍跃 踐践
蹤踪 軀躯 邊边 遞递 遠远 適适 遲迟 選选 遺遗 還还 邁迈 郵邮 鄰邻 鄧邓 醜丑 釋释 隊队 陸陆
階阶 隨随 險险 隱隐 雜杂 雞鸡 鷄鸡 離离 難难 雖虽 霧雾 靈灵 靜静 韓韩 響响 飛飞 鹽盐 齊齐
齒齿 龜龟 價价 償偿 塵尘 壇坛 罈坛 妝妆 尷尴 嶄崭 巒峦 憶忆 掛挂 採采 掙挣 揮挥 敵敌 斂敛
斷断 晉晋 暈晕 曬晒 棄弃 棟栋 榮荣 槓杠 樁桩 橢椭 檔档 檻槛 櫥橱 欄栏 毆殴 氈毡 氫氢 溫温
滯滞 滲渗 滾滚 漿浆 潑泼 澀涩 濁浊 濫滥 濱滨 瀏浏 灑洒 烴烃 燭烛 爛烂 牘牍 犧牺 狹狭 猶犹
獄狱 獅狮 瑤瑶 甕瓮 畢毕 疇畴 瘡疮 癢痒 皺皱 盜盗 盞盏 矯矫 磚砖 祕秘 禦御 禿秃 窩窝 竄窜
竅窍 筍笋 箏筝 簍篓 籠笼 糾纠 罰罚 罷罢 翹翘 聳耸 膽胆 膠胶 臘腊 艦舰 莊庄 萊莱 蔣蒋 蕭萧
薦荐 薩萨 藍蓝 蘆芦 蘋苹 蝦虾 螢萤 蠟蜡 褲裤 襯衬 謄誊 譽誉 貳贰 趨趋 跡迹 蹟迹 踴踊 輿舆
辭辞 遜逊 鄭郑 醞酝 醬酱 釀酿 陝陕 隸隶 雋隽 靂雳 韁缰 韜韬 餚肴 骯肮 髮发 鬍胡 鬱郁 魯鲁
鴉鸦 麵面 麪面 黴霉 齋斋 龕龛 龐庞 聾聋 襲袭 壟垄 攏拢 朧胧 瓏珑 嚨咙 隴陇 麥麦 濟济 齡龄
張张 脹胀 漲涨 韋韦 圍围 違违 緯纬 葦苇 韌韧 陣阵 陳陈 連连 運运 渾浑 揮挥 褲裤 斬斩 暫暂
漸渐 慚惭 蓮莲 漣涟 誌志 週周 遊游 併并 並并 佈布 闆板 錶表 彆别 纔才 齣出 澱淀 鼕冬 颳刮
飢饥 饑饥 傢家 薑姜 剋克 睏困 纍累 簾帘 濛蒙 矇蒙 懞蒙 彌弥 瀰弥 衊蔑 僕仆 樸朴 韆千 鞦秋
捨舍 瀋沈 勝胜 塗涂 窪洼 鹹咸 嚮向 須须 鬚须 籲吁 蕓芸 紮扎 佔占 摺折 癥症 緻致 隻只 託托
鬥斗 鬧闹 穀谷 蔔卜 後后 裡里 裏里 鐘钟 鍾钟 願愿 臟脏 麴曲 麯曲 捲卷 夥伙 姦奸 迴回 傑杰
說说 説说 話话 語语 請请 認认 識识 論论 課课 訂订 記记 討讨 訓训 訊讯 訪访 設设 訴诉 診诊
詞词 譯译 試试 詩诗 誠诚 誇夸 詳详 該该 誤误 誰谁 誼谊 諒谅 談谈 謝谢 謀谋 謊谎 謎谜 講讲
讓让 讚赞 詢询 評评 詐诈 註注 訝讶 誦诵 諸诸 諾诺 諮咨 謂谓 諷讽 謠谣 譴谴 譏讥 訟讼 訣诀
詭诡 詮诠 諫谏 諧谐 謙谦 謹谨 譁哗 誕诞 誘诱 誣诬 謬谬 訛讹 詰诘 諦谛 諱讳 諺谚 謁谒 譚谭
誡诫 誨诲 諄谆 諭谕 謗谤
錢钱 銀银 鋁铝 鋅锌 錫锡 鉛铅 鎳镍 鈷钴 鋰锂 鈦钛 錳锰 鉬钼 鎢钨 鉻铬 釩钒 銻锑 鍺锗 鎵镓
銦铟 鉑铂 鈀钯 針针 釘钉 鈕钮 鈍钝 鈔钞 鈴铃 鉤钩 鈎钩 銳锐 鋭锐 鋒锋 鋪铺 錯错 鍋锅 鍵键
鍛锻 鎮镇 鎖锁 鏡镜 鑄铸 鑑鉴 鑒鉴 鑰钥 鑽钻 鑼锣 鋸锯 錘锤 鏟铲 鉗钳 釣钓 銜衔 鈞钧 鋤锄
鍍镀 鏽锈 銹锈 鐳镭 鈾铀 錨锚 鎊镑 鐫镌 鏢镖 鎂镁 鈉钠 鉀钾 鈣钙 銨铵 鋇钡 錦锦 鏗铿 銘铭
銓铨 鏤镂 鑲镶 鑷镊 鐺铛 鉸铰 鍬锹 鎚锤 錠锭 鋼钢 鋯锆 鈮铌 鉭钽 鎘镉 鉍铋 銫铯 銣铷 錸铼
紀纪 紉纫 純纯 紗纱 納纳 紙纸 紛纷 紐纽 紡纺 細细 終终 紹绍 結结 絕绝 絶绝 給给 絨绒 綁绑
綜综 綠绿 緑绿 綢绸 維维 綱纲 綴缀 緒绪 緝缉 編编 緩缓 練练 緣缘 縫缝 縮缩 總总 績绩 織织
繞绕 繩绳 繪绘 繼继 續续 纜缆 纖纤 縱纵 綿绵 縷缕 締缔 緞缎 緬缅 縛缚 繃绷 繳缴 繡绣 綉绣
纏缠 紋纹 紳绅 絞绞 綻绽 綽绰 緋绯 繭茧 紓纾 絹绢 綸纶 緘缄 縈萦 繽缤 纓缨 紅红 級级 約约
問问 閃闪 閉闭 閑闲 閒闲 悶闷 閘闸 閣阁 閥阀 閱阅 閲阅 闊阔 闖闯 闡阐 閩闽 闔阖 闕阙 闌阑
閨闺 閻阎 闈闱 闢辟 閔闵 潤润 澗涧 簡简 燜焖 閏闰 閡阂
軌轨 軒轩 軟软 軸轴 較较 載载 輔辅 輕轻 輝辉 輩辈 輪轮 輸输 轄辖 轉转 轎轿 轟轰 輯辑 軋轧
輒辄 輓挽 輾辗 轅辕 轍辙 轆辘 庫库 揮挥 塹堑 鏈链 範范 陣阵
駛驶 駐驻 駕驾 駝驼 騎骑 騙骗 騰腾 驗验 驚惊 驟骤 驢驴 驅驱 驕骄 駁驳 騷骚 驛驿 駿骏 嗎吗
碼码 罵骂 螞蚂 瑪玛 篤笃 闖闯
貝贝 負负 財财 貢贡 販贩 貨货 貧贫 貪贪 貫贯 購购 貯贮 貴贵 費费 賀贺 賈贾 賊贼 賄贿 賓宾
賠赔 賞赏 賜赐 賤贱 質质 賬账 賭赌 賴赖 賺赚 賽赛 贈赠 贊赞 贏赢 贖赎 贍赡 賦赋 賑赈 賂赂
貼贴 貶贬 賃赁 賒赊 測测 鍘铡 敗败 唄呗 圓圆 韻韵 嬰婴 櫻樱 鸚鹦 債债 瀆渎 贓赃 贛赣
見见 規规 視视 覺觉 觀观 覓觅 硯砚 覲觐 覬觊 寬宽 欖榄
頁页 頂顶 順顺 預预 頑顽 頒颁 頓顿 頗颇 頭头 題题 顏颜 顔颜 類类 顧顾 顛颠 顆颗 顫颤 頸颈
頰颊 頹颓 顱颅 顎颚 頌颂 碩硕 煩烦 瀕濒 頃顷 頻频 額额
颶飓 飄飘 颯飒 楓枫 瘋疯
飯饭 飲饮 飽饱 飾饰 餅饼 餓饿 館馆 饅馒 餃饺 饒饶 餵喂 飼饲 餡馅 饋馈 饞馋 蝕蚀
魚鱼 鮮鲜 鯨鲸 鯉鲤 鰻鳗 鱷鳄 蘇苏
鳥鸟 鴨鸭 鵝鹅 鴿鸽 鷹鹰 鶴鹤 鳴鸣 鴻鸿 鷺鹭 鷗鸥 鵬鹏
籠笼 黃黄 齊齐 擠挤 齡龄
"""

_T2S: dict[int, int] | None = None


def _t2s_table() -> dict[int, int]:
    global _T2S
    if _T2S is None:
        table: dict[int, int] = {}
        for token in _T2S_PAIRS.split():
            trad, simp = ord(token[0]), ord(token[1])
            if trad != simp:
                table[trad] = simp
        _T2S = table
    return _T2S


def to_simplified(s: str) -> str:
    """Traditional Chinese characters to simplified ones; everything else is left alone."""
    return s.translate(_t2s_table())


# ------------------------------------------------------------------------------ keys, names

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

_NAME_DROP = dict.fromkeys(
    map(
        ord,
        "()[]{}<>（）【】〔〕〈〉《》〖〗｛｝「」『』·・‧•、-_.,，。–—―‐\"'“”‘’＂＇`´",
    )
)


def normalize_key(s: str) -> str:
    """Key for matching names, labels and enum values typed by people.

    Full-width to half-width, traditional to simplified, all whitespace removed, casefolded:
    ``normalize_key(" 招什麼 ") == "招什么"``.
    """
    s = to_simplified(to_halfwidth(s)).translate(_INVISIBLE)
    return "".join(s.casefold().split())


def normalize_name(s: str) -> str:
    """Key for duplicate detection of item titles: :func:`normalize_key` without brackets,
    quotes and the punctuation · 、 - _ . , ， 。"""
    return normalize_key(s).translate(_NAME_DROP)


# -------------------------------------------------------------------------------- helpers


def _show(value: object) -> str:
    """The value as it goes between 「」 in a message (long strings are cut)."""
    if isinstance(value, str):
        text = value.strip() or value
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _is_finite(x: float) -> bool:
    return x == x and x not in (float("inf"), float("-inf"))


def _clean(value: str) -> str:
    """Half-width, invisible characters removed, stripped, minus signs unified."""
    return to_halfwidth(value).translate(_INVISIBLE).replace("\u2212", "-").strip()


# ---------------------------------------------------------------------------------- money

#: Unit words the money parser understands (traditional forms 萬 億 are accepted too).  A
#: trailing 元 (人民币) or 美元/美金 may follow any magnitude word.
MONEY_UNITS: tuple[str, ...] = (
    "元",
    "千元",
    "万",
    "万元",
    "十万",
    "百万",
    "千万",
    "亿",
    "亿元",
    "十亿",
    "百亿",
    "千亿",
    "万亿",
    "美元",
    "万美元",
    "百万美元",
    "千万美元",
    "亿美元",
)

# Magnitude words in units of 万 (of whatever currency).
_MAGNITUDES: dict[str, str] = {
    "千": "0.1",
    "万": "1",
    "十万": "10",
    "百万": "100",
    "千万": "1000",
    "亿": "10000",
    "十亿": "100000",
    "百亿": "1000000",
    "千亿": "10000000",
    "万亿": "100000000",
}

_DEFAULT_UNITS: dict[str, str] = {"元": "0.0001", "万": "1", "亿": "10000"}
_CURRENCIES: dict[str, str] = {"CNY": "万元", "USD": "万美元"}

# Far beyond any real amount (10^16 元); it only keeps absurd input out of the arithmetic.
_MONEY_LIMIT = "1e12"

_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_MONEY_RE = rf"([+-]?)\s*([0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]{{1,3}}|{_NUMBER})\s*(.*)"


def _money_hint(currency: str) -> str:
    if currency == "USD":
        return "请填写数字，可带单位 亿/万/美元，如 36.5亿美元、2000万美元、2000"
    return "请填写数字，可带单位 亿/万/元，如 3.56亿、35600万、1,200.5"


def _money_error(value: object, currency: str) -> ParseError:
    return ParseError(f"无法识别的金额「{_show(value)}」：{_money_hint(currency)}")


def parse_money(value: object, *, currency: str = "CNY", default_unit: str = "万") -> float:
    """An amount typed by a person, in 万 of ``currency`` (CNY: 万元, USD: 万美元).

    Numbers are taken as already in ``default_unit`` ("万", "亿" or "元"), and so are strings
    without a unit.  The result is rounded to 6 decimal places.  Amounts in the other
    currency are refused, never converted.
    """
    if currency not in _CURRENCIES:
        raise ValueError(f"unknown currency {currency!r}")
    unit = to_simplified(default_unit).removesuffix("元") or "元"
    if unit not in _DEFAULT_UNITS:
        raise ValueError(f"unknown default_unit {default_unit!r}")
    from decimal import Decimal

    if isinstance(value, bool) or value is None:
        raise _money_error(value, currency)
    if isinstance(value, int):
        number = Decimal(value)
        scale = _DEFAULT_UNITS[unit]
    elif isinstance(value, float):
        if not _is_finite(value):
            raise _money_error(value, currency)
        number = Decimal(repr(value))
        scale = _DEFAULT_UNITS[unit]
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _money_error(value, currency)
        number = value
        scale = _DEFAULT_UNITS[unit]
    elif isinstance(value, str):
        number, scale = _read_money_text(value, currency, unit)
    else:
        raise _money_error(value, currency)
    return _scale_money(value, number, scale, currency)


def _read_money_text(value: str, currency: str, unit: str) -> tuple[decimal.Decimal, str]:
    from decimal import Decimal

    text = _clean(value)
    if not text:
        raise ParseError(f"金额「{_show(value)}」为空：{_money_hint(currency)}")
    m = re.fullmatch(_MONEY_RE, text)
    if m is None:
        raise _money_error(value, currency)
    sign, digits, unit_text = m.groups()
    unit_text = to_simplified(unit_text.strip())
    given: str | None = None  # currency named in the text
    for suffix, cur in (("美元", "USD"), ("美金", "USD"), ("元", "CNY")):
        if unit_text.endswith(suffix):
            given = cur
            unit_text = unit_text[: -len(suffix)].rstrip()
            break
    if unit_text:
        scale = _MAGNITUDES.get(unit_text)
        if scale is None:
            if re.search(r"[0-9]", unit_text) and re.search(r"[千万亿]", unit_text):
                raise ParseError(f"金额「{_show(value)}」含义不明确：请只用一个单位写成小数，如 3.5亿、35000万")
            raise _money_error(value, currency)
    elif given is not None:
        scale = "0.0001"  # a bare 元 / 美元
    else:
        scale = _DEFAULT_UNITS[unit]
    if given is not None and given != currency:
        if given == "USD":
            raise ParseError(
                f"「{_show(value)}」是美元金额：本栏按万元人民币计，美元金额请填到外资栏（万美元），不做汇率换算"
            )
        raise ParseError(f"「{_show(value)}」是人民币金额：本栏按万美元计，请填写美元金额，如 2000万美元")
    number = Decimal(digits.replace(",", ""))
    return (-number if sign == "-" else number), scale


def _scale_money(value: object, number: decimal.Decimal, scale: str, currency: str) -> float:
    from decimal import ROUND_HALF_EVEN, Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        amount = number * Decimal(scale)
        if abs(amount) > Decimal(_MONEY_LIMIT):
            raise ParseError(
                f"金额「{_show(value)}」大得不合常理（超过一万亿{_CURRENCIES[currency]}）：请检查数字和单位"
            )
        result = float(amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))
    return result + 0.0  # turns -0.0 into 0.0


def format_money(amount: float | None) -> str:
    """An amount for display: plain digits, no exponent, at most 6 decimals, no trailing zeros.

    ``None`` (and NaN/∞, which never come out of :func:`parse_money`) give "".
    """
    if amount is None or isinstance(amount, bool):
        return ""
    if isinstance(amount, float) and not _is_finite(amount):
        return ""
    from decimal import ROUND_HALF_EVEN, Decimal, localcontext

    exact = Decimal(amount)
    with localcontext() as ctx:
        ctx.prec = max(400, exact.adjusted() + 20)
        d = exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ------------------------------------------------------------------------------------ dates

_MIN_YEAR = 1900
_MAX_YEAR = 2100
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

_TIME = (
    r"(?:(?:\s+|\s*[Tt]\s*)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
    r"(?:\s*(?:[Zz]|[+-][0-9]{2}:?[0-9]{2}))?)?"
)
_DATE_FORMS = (
    r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})",
    r"([0-9]{4})\s*(年)\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?",
    r"([0-9]{4})()([0-9]{2})([0-9]{2})",
)
_AMBIGUOUS_DATE = (
    r"[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{2,4}"
    r"|[0-9]{2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}"
)
_DATE_HINT = "请按 年-月-日 书写，如 2026-03-15、2026/3/15、2026年3月15日"


def _year_ok(value: object, year: int, what: str = "日期") -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ParseError(f"{what}「{_show(value)}」的年份 {year} 不在 {_MIN_YEAR}–{_MAX_YEAR} 之间：请检查年份")


def _make_date(value: object, year: int, month: int, day: int) -> datetime.date:
    _year_ok(value, year)
    if not 1 <= month <= 12:
        raise ParseError(f"日期「{_show(value)}」不存在：月份应为 1–12；{_DATE_HINT}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ParseError(f"日期「{_show(value)}」不存在：{year}年{month}月没有{day}日") from None


def _date_from_number(value: object, number: float) -> datetime.date:
    if not _is_finite(number):
        raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
    whole = int(number // 1)
    if 19000101 <= number <= 21001231:  # a date typed as the number 20260315
        if whole != number:
            raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
        return _make_date(value, whole // 10000, whole // 100 % 100, whole % 100)
    if not 1 <= whole <= _EXCEL_MAX_SERIAL:
        raise ParseError(
            f"无法识别的日期「{_show(value)}」：作为 Excel 日期序号应在 1–{_EXCEL_MAX_SERIAL} 之间；{_DATE_HINT}"
        )
    if whole == 60:
        raise ParseError(f"日期「{_show(value)}」不存在：Excel 序号 60 是并不存在的 1900-02-29")
    # The 1900 date system counts the fictitious 1900-02-29, so serials from 61 on are one
    # day ahead of a plain count from 1899-12-31.
    origin = datetime.date(1899, 12, 31 if whole < 60 else 30)
    date = origin + datetime.timedelta(days=whole)
    _year_ok(value, date.year)
    return date


def _match_date_text(value: object, text: str) -> datetime.date | None:
    for form in _DATE_FORMS:
        m = re.fullmatch(form + _TIME, text)
        if m is None:
            continue
        year, _sep, month, day, hh, mm, ss = m.groups()
        if hh is not None and (int(hh) > 23 or int(mm) > 59 or (ss is not None and int(ss) > 59)):
            raise ParseError(f"日期「{_show(value)}」的时间部分不存在：{_DATE_HINT}")
        return _make_date(value, int(year), int(month), int(day))
    return None


def parse_date(value: object) -> datetime.date:
    """A date: a ``date``/``datetime`` object, an Excel serial number (1900 system), an
    8-digit number like 20260315, or text such as 2026-03-15, 2026/3/15, 2026.3.15,
    2026年3月15日 or 20260315 (a time after it is dropped).  Day-first, month-first and
    two-digit-year forms are refused as ambiguous."""
    if isinstance(value, datetime.datetime):
        _year_ok(value, value.year)
        return value.date()
    if isinstance(value, datetime.date):
        _year_ok(value, value.year)
        return value
    if isinstance(value, bool) or value is None:
        raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
    if isinstance(value, int | float):
        return _date_from_number(value, value)
    if not isinstance(value, str):
        raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")
    text = _clean(value)
    if not text:
        raise ParseError(f"日期「{_show(value)}」为空：{_DATE_HINT}")
    date = _match_date_text(value, text)
    if date is not None:
        return date
    if re.fullmatch(rf"(?:{_AMBIGUOUS_DATE}){_TIME}", text):
        raise ParseError(f"日期「{_show(value)}」有歧义（年份或日、月的先后不明确）：请按 年-月-日 书写，如 2026-03-15")
    raise ParseError(f"无法识别的日期「{_show(value)}」：{_DATE_HINT}")


# ----------------------------------------------------------------------------------- months

_CN_MONTHS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "十一": 11, "十二": 12,
}  # fmt: skip
_MONTH_FORMS = (
    r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})",
    r"([0-9]{4})([0-9]{2})",
    r"([0-9]{4})\s*年\s*([0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?",
)
_MONTH_HINT = "请写成 年-月，如 2026-03、2026年3月"


def _match_month(value: object, text: str) -> tuple[int, int] | None:
    """(year, month) when ``text`` is a month-only form; None when it is not one."""
    for form in _MONTH_FORMS:
        m = re.fullmatch(form, text)
        if m is None:
            continue
        year = int(m.group(1))
        raw = m.group(2)
        month = _CN_MONTHS[raw] if raw in _CN_MONTHS else int(raw)
        _year_ok(value, year, "月份")
        if not 1 <= month <= 12:
            raise ParseError(f"月份「{_show(value)}」不存在：月份应为 1–12，如 2026-03")
        return year, month
    return None


def parse_month(value: object) -> str:
    """A month as "YYYY-MM": 2026-03, 2026-3, 2026/03, 2026.3, 202603, 2026年3月, a date or
    datetime object, or a full date string (its month).  Numbers are read as YYYYMM only."""
    if isinstance(value, datetime.date):  # datetime.datetime too
        _year_ok(value, value.year, "月份")
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, bool) or value is None:
        raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
    if isinstance(value, int | float):
        if not _is_finite(value) or value != int(value // 1):
            raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
        text = str(int(value))
    elif isinstance(value, str):
        text = _clean(value)
    else:
        raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
    if not text:
        raise ParseError(f"月份「{_show(value)}」为空：{_MONTH_HINT}")
    ym = _match_month(value, text)
    if ym is None:
        if not isinstance(value, str):
            raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}")
        try:
            date = parse_date(value)
        except ParseError:
            raise ParseError(f"无法识别的月份「{_show(value)}」：{_MONTH_HINT}") from None
        ym = date.year, date.month
    return f"{ym[0]:04d}-{ym[1]:02d}"


def month_bounds(month: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a month (any :func:`parse_month` form): "2026-02" ->
    (2026-02-01, 2026-02-28)."""
    year, mon = (int(part) for part in parse_month(month).split("-"))
    return datetime.date(year, mon, 1), _last_day(year, mon)


def _last_day(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


# --------------------------------------------------------------------------------- quarters

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_QUARTER_NAMES = ("", "第一季度", "第二季度", "第三季度", "第四季度")
_QUARTER_FORMS = (
    # (pattern, group of the year, group of the quarter)
    (r"([0-9]{4})\s*(?:年|[-/.])?\s*q\s*([0-9])", 1, 2),
    (r"q\s*([0-9])\s*[-/.]?\s*([0-9]{4})\s*年?", 2, 1),
    (r"([0-9]{4})\s*(?:年|[-/.])?\s*第?\s*([0-9]|[〇零一二三四五六七八九])\s*季度?", 1, 2),
)
_QUARTER_HINT = "请写成 2026Q1、2026-Q1、Q1 2026 或 2026年第一季度"


def _match_quarter(value: object, text: str) -> tuple[int, int] | None:
    text = text.casefold()
    for form, y_group, q_group in _QUARTER_FORMS:
        m = re.fullmatch(form, text)
        if m is None:
            continue
        year = int(m.group(y_group))
        raw = m.group(q_group)
        quarter = _CN_DIGITS[raw] if raw in _CN_DIGITS else int(raw)
        _year_ok(value, year, "季度")
        if not 1 <= quarter <= 4:
            raise ParseError(f"季度「{_show(value)}」不存在：季度应为 1–4，{_QUARTER_HINT}")
        return year, quarter
    return None


def parse_quarter(value: object) -> tuple[int, int]:
    """(year, quarter 1..4) from 2026Q1, 2026q1, 2026-Q1, 2026 Q1, Q1 2026, 2026年一季度,
    2026年第一季度, 2026年1季度, 2026年第1季度, or a date (the quarter it falls in)."""
    if isinstance(value, datetime.date):
        _year_ok(value, value.year, "季度")
        return value.year, (value.month - 1) // 3 + 1
    if not isinstance(value, str):
        raise ParseError(f"无法识别的季度「{_show(value)}」：{_QUARTER_HINT}")
    text = _clean(value)
    if not text:
        raise ParseError(f"季度「{_show(value)}」为空：{_QUARTER_HINT}")
    yq = _match_quarter(value, text)
    if yq is None:
        raise ParseError(f"无法识别的季度「{_show(value)}」：{_QUARTER_HINT}")
    return yq


def quarter_bounds(year: int, q: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of quarter ``q`` (1..4) of ``year``."""
    if isinstance(q, bool) or q not in (1, 2, 3, 4):
        raise ParseError(f"季度「{q}」不存在：季度应为 1–4")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParseError(f"无法识别的年份「{_show(year)}」：请写四位数年份，如 2026")
    _year_ok(year, year, "年份")
    first_month = 3 * q - 2
    return datetime.date(year, first_month, 1), _last_day(year, first_month + 2)


# ---------------------------------------------------------------------------------- periods

_PERIOD_HINT = (
    "可写 年（2026）、半年（2026年上半年）、季度（2026Q1、2026年一季度）、"
    "月（2026-03、2026年3月）或半月（2026年3月上半月）"
)


def parse_period(value: str) -> tuple[datetime.date, datetime.date, str]:
    """A reporting period: a year (2026, 2026年), a half-year (2026年上半年), a quarter (any
    :func:`parse_quarter` form), a month (any month-only :func:`parse_month` form) or a
    half-month (2026-03上半月, 2026年3月下半月: days 1–15 / 16–end).

    Returns (first day, last day, label) with labels such as 2026年, 2026年上半年,
    2026年第一季度, 2026年3月 and 2026年3月上半月.  A single day is not a period.
    """
    if not isinstance(value, str):
        raise ParseError(f"无法识别的期间「{_show(value)}」：{_PERIOD_HINT}")
    text = _clean(value)
    if not text:
        raise ParseError(f"期间「{_show(value)}」为空：{_PERIOD_HINT}")

    m = re.fullmatch(r"(.+?)\s*的?\s*([上下])半月", text)
    if m is not None:
        ym = _match_month(value, m.group(1).strip())
        if ym is None:
            raise ParseError(f"无法识别的期间「{_show(value)}」：{_PERIOD_HINT}")
        year, month = ym
        if m.group(2) == "上":
            return (
                datetime.date(year, month, 1),
                datetime.date(year, month, 15),
                f"{year}年{month}月上半月",
            )
        return datetime.date(year, month, 16), _last_day(year, month), f"{year}年{month}月下半月"

    m = re.fullmatch(r"([0-9]{4})\s*年?\s*度?\s*的?\s*([上下])半年", text)
    if m is not None:
        year = int(m.group(1))
        _year_ok(value, year, "期间")
        if m.group(2) == "上":
            return datetime.date(year, 1, 1), datetime.date(year, 6, 30), f"{year}年上半年"
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31), f"{year}年下半年"

    m = re.fullmatch(r"([0-9]{4})\s*(?:年度?)?", text)
    if m is not None:
        year = int(m.group(1))
        _year_ok(value, year, "期间")
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"

    yq = _match_quarter(value, text)
    if yq is not None:
        first, last = quarter_bounds(*yq)
        return first, last, f"{yq[0]}年{_QUARTER_NAMES[yq[1]]}"

    ym = _match_month(value, text)
    if ym is not None:
        year, month = ym
        return datetime.date(year, month, 1), _last_day(year, month), f"{year}年{month}月"

    raise ParseError(f"无法识别的期间「{_show(value)}」：{_PERIOD_HINT}")


# ------------------------------------------------------------------------ integers, flags


def parse_int(value: object) -> int:
    """A whole number: 12, "１２", "1,200", 12.0, "12.0"; 12.5 and booleans are refused."""
    error = ParseError(f"无法识别的整数「{_show(value)}」：请填写整数，如 12、1,200")
    if isinstance(value, bool) or value is None:
        raise error
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not _is_finite(value) or value != int(value // 1):
            raise error
        return int(value)
    if not isinstance(value, str):
        raise error
    text = _clean(value)
    m = re.fullmatch(r"([+-]?)\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?", text)
    if m is None:
        raise error
    number = int(m.group(2).replace(",", ""))
    return -number if m.group(1) == "-" else number


_TRUE_WORDS = frozenset({"是", "true", "yes", "y", "1", "√", "✓", "✔", "对"})
_FALSE_WORDS = frozenset({"否", "false", "no", "n", "0", "×", "✗", "✘", "不是"})


def parse_bool(value: object) -> bool:
    """是/否, true/false, yes/no, 1/0, √/×, Y/N (any case, full-width too)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = normalize_key(value)
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise ParseError(
        f"无法识别的是/否值「{_show(value)}」：请填写 是 或 否（也可写 true/false、yes/no、1/0、√/×、Y/N）"
    )


# ----------------------------------------------------------------------------- assignments

_ASSIGN_SEPARATORS = "=＝:："


def split_assignment(arg: str) -> tuple[str, str]:
    """Split "FIELD=VALUE" typed on the command line at the first =, ＝, : or ：.

    The key is stripped; the value is returned as typed (it may contain = or : itself).
    """
    cut = next((i for i, ch in enumerate(arg) if ch in _ASSIGN_SEPARATORS), -1)
    if cut < 0 or not arg[:cut].strip():
        raise ParseError(f"「{_show(arg)}」不是 字段=值 的形式：例如 投资额=3.56亿")
    return arg[:cut].strip(), arg[cut + 1 :]


# ------------------------------------------------------------- dates as people say them

#: words for days, relative to today (typed at a terminal; never read from an imported cell,
#: where "today" would mean the day the clerk typed it, not the day of import)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2, "明天": 1, "明日": 1, "后天": 2}
_RELATIVE_MONTHS = {"本月": 0, "这个月": 0, "当月": 0, "上月": -1, "上个月": -1, "下月": 1, "下个月": 1}
_MONTH_DAY = re.compile(r"([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?")
_MONTH_ONLY = re.compile(r"([0-9]{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?")


def parse_typed_date(value: object, *, today: datetime.date | None = None) -> datetime.date:
    """A date typed by a person: every :func:`parse_date` form, and 今天 / 昨天 / 前天 / 明天 /
    后天, and 11月28日 (this year)."""
    if isinstance(value, str):
        text = _clean(value)
        today = today or datetime.date.today()
        if text in _RELATIVE_DAYS:
            return today + datetime.timedelta(days=_RELATIVE_DAYS[text])
        m = _MONTH_DAY.fullmatch(text)
        if m is not None:
            return _make_date(value, today.year, int(m.group(1)), int(m.group(2)))
    return parse_date(value)


def parse_typed_month(value: object, *, today: datetime.date | None = None) -> str:
    """A month typed by a person: every :func:`parse_month` form, and 本月 / 上月 / 下月, and
    3月 (this year)."""
    if isinstance(value, str):
        text = _clean(value)
        today = today or datetime.date.today()
        if text in _RELATIVE_MONTHS:
            total = today.year * 12 + today.month - 1 + _RELATIVE_MONTHS[text]
            return f"{total // 12:04d}-{total % 12 + 1:02d}"
        m = _MONTH_ONLY.fullmatch(text)
        if m is not None:
            raw = m.group(1)
            month = _CN_MONTHS[raw] if raw in _CN_MONTHS else int(raw)
            if not 1 <= month <= 12:
                raise ParseError(f"月份「{_show(value)}」不存在：月份应为 1–12，如 2026-03")
            return f"{today.year:04d}-{month:02d}"
        if text in _RELATIVE_DAYS or _MONTH_DAY.fullmatch(text):
            day = parse_typed_date(value, today=today)
            return f"{day.year:04d}-{day.month:02d}"
    return parse_month(value)
