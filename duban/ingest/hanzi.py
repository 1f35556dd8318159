"""Traditional characters -> simplified, for matching only (牽頭單位 reads as 牵头单位).

Documents saved from Hong Kong / Taiwan mirrors, or typed in traditional characters, use the same
responsibility words in another script. Every pass matches the simplified form (``Line.text``);
:func:`restore` puts the file's own characters back into what was read, so output stays verbatim.
The mapping is one character to one character (same length, positions unchanged): the characters
of government documents, not a full converter; a character it lacks is matched as written.
"""

from __future__ import annotations

import re
from collections import Counter

# pairs: traditional, simplified
_PAIRS = (
    "牽牵頭头單单責责負负協协領领導导辦办機机關关門门廳厅會会處处區区縣县鎮镇鄉乡務务發发設设財财銀银衛卫計计劃划統统規规資资農农業业場场監监審审報报書书紀纪組组織织"
    "黨党團团聯联體体與与為为這这個个們们來来時时對对後后從从將将應应當当實实現现進进過过還还經经濟济產产價价項项標标準准級级層层範范圍围內内條条歷历屆届總总穩稳調调"
    "貫贯徹彻確确鏈链節节堅坚術术費费稅税險险權权轉转變变職职開开鐵铁運运輸输車车馬马長长億亿萬万幣币額额質质環环態态綠绿續续優优營营網网際际絡络數数據据庫库讓让認认"
    "識识證证說说論论講讲議议詳详請请諮咨詢询訊讯試试課课談谈護护謀谋諾诺評评詞词語语讀读記记許许該该誠诚謹谨訂订訴诉診诊譜谱築筑邊边遠远達达選选遲迟遞递鄰邻郵邮醫医"
    "鋼钢錢钱錯错鍵键閉闭問问間间閱阅隊队陽阳陰阴隨随難难雙双雜杂雲云電电靈灵須须預预頻频題题類类顯显風风飛飞館馆養养餘余驗验鬥斗魚鱼鳥鸟麥麦點点齊齐齡龄龍龙東东兩两"
    "並并亞亚倉仓傳传債债傷伤僅仅儲储償偿兒儿凈净創创劇剧動动勞劳勢势勵励卻却參参叢丛員员啟启喪丧噸吨嚴严圖图園园圓圆執执塊块墊垫壓压壩坝壯壮壽寿夠够夢梦奮奋婦妇孫孙"
    "學学寧宁寬宽寫写專专尋寻屬属嶺岭島岛帶带幫帮幹干廣广廠厂廢废彈弹徑径復复徵征懷怀憲宪戰战戶户採采掃扫揮挥損损換换擁拥擇择擊击擔担擴扩擬拟擺摆攜携攝摄敗败敵敌斷断"
    "於于晉晋暢畅曆历構构樣样樁桩樓楼歐欧歸归殘残殺杀氣气漢汉溝沟滿满漁渔潔洁潛潜濕湿災灾無无煙烟熱热燈灯爭争牆墙狀状獎奖獨独猶犹獲获畫画療疗盡尽盤盘礎础禮礼禍祸種种"
    "稱称窮穷競竞筆笔簡简糧粮緊紧綜综維维線线編编練练縮缩績绩繼继罰罚聲声聽听脅胁腦脑艱艰藝艺藥药蘇苏虛虚號号補补裝装製制複复見见視视覺觉觀观討讨訪访誤误諸诸謝谢貨货"
    "販贩貴贵貸贷貿贸賠赔購购賽赛贊赞趕赶趨趋蹤踪軍军軟软較较載载輔辅輕轻輪轮連连週周違违適适遷迁遺遗邏逻釋释針针鋪铺錄录閒闲閘闸闡阐陸陆陣阵陳陈隱隐雖虽雞鸡離离靜静"
    "響响頂顶順顺顏颜願愿顧顾飲饮駐驻驅驱髮发鬆松魯鲁鮮鲜麵面黃黄夥伙係系衝冲閣阁盧卢鄭郑劉刘楊杨趙赵張张吳吴馮冯葉叶蕭萧鄧邓韓韩絲丝銜衔託托減减疊叠釐厘廁厕鐘钟橋桥"
    "壞坏擾扰讚赞濫滥棄弃寶宝紓纾緩缓繳缴繫系絕绝紅红約约純纯納纳紛纷細细終终結结給给緣缘縱纵纖纤義义習习聖圣聞闻肅肃脫脱臨临舉举舊旧艦舰莊庄華华葦苇蓋盖蔣蒋薦荐薩萨"
    "藍蓝蘭兰虧亏蟲虫衆众裏里襲袭親亲覽览訓训訟讼詐诈誌志誘诱謂谓譯译豐丰豬猪貝贝貢贡貧贫貪贪貼贴賀贺賃赁賓宾賦赋賬账賴赖賺赚贈赠贏赢蹟迹軌轨軒轩輛辆輯辑轄辖辭辞遊游"
    "遜逊醜丑釀酿鈔钞鉅巨銷销鋒锋錦锦鍋锅鎖锁鏡镜鑒鉴閃闪閩闽闊阔闖闯隸隶霧雾韌韧韻韵頁页頃顷頒颁頓顿頗颇顆颗颱台飄飘飯饭飾饰饋馈駕驾騎骑騰腾鬧闹鳳凤鴻鸿鵬鹏鹽盐麗丽"
    "齒齿龐庞龜龟濱滨灣湾爐炉犧牺瑪玛瑣琐璽玺畢毕畝亩疇畴盜盗礦矿碼码磚砖祿禄穀谷竊窃簽签籃篮籌筹籠笼粵粤糾纠紡纺紙纸紹绍綁绑綱纲綴缀緒绪緝缉締缔縫缝縷缕繡绣繩绳罷罢"
    "羅罗聰聪膠胶膚肤臉脸臺台艙舱茲兹莖茎薑姜蘆芦蝦虾蠶蚕裡里褲裤覓觅觸触誇夸誦诵諒谅諧谐謊谎謠谣譴谴譽誉貓猫賊贼賢贤賤贱賜赐賞赏賭赌贓赃贖赎躍跃輝辉輩辈輿舆轟轰辯辩"
    "迴回遙遥鈞钧鈴铃鉛铅鋁铝錫锡鍛锻陝陕隕陨韋韦頌颂頸颈顛颠飢饥飼饲飽饱餅饼饒饶駁驳駛驶駿骏騙骗驕骄驚惊髒脏鬱郁鯨鲸鳴鸣鴨鸭鵝鹅鷹鹰麼么黴霉鑑鉴佈布佔占併并侖仑側侧"
    "偉伟偵侦傑杰備备傭佣僑侨儀仪儘尽兌兑凍冻剛刚剝剥劍剑勁劲勝胜勳勋匯汇匱匮厲厉敘叙呂吕喚唤嘗尝噴喷嚮向塗涂塵尘墜坠墳坟壇坛壘垒壺壶奪夺奧奥妝妆婁娄寵宠尷尴屍尸屢屡"
    "岡冈峽峡崗岗嵐岚巖岩帥帅師师帳帐幟帜廬庐強强彌弥悅悦惡恶惱恼愛爱慘惨慣惯慮虑慶庆憂忧憑凭憤愤懇恳懶懒懸悬懼惧戀恋戲戏拋抛挾挟捨舍掛挂揚扬搶抢摯挚撥拨撫抚擋挡擠挤"
    "攔拦攤摊斂敛斬斩曉晓暈晕曠旷曬晒梟枭棟栋棧栈楓枫極极榮荣槍枪樂乐樞枢橫横檔档檢检檯台櫃柜欄栏歡欢歲岁殲歼毀毁氫氢決决沒没況况淚泪淺浅湯汤溫温滅灭滬沪滯滞漲涨漸渐"
    "潤润澀涩澤泽濃浓濾滤瀏浏瀾澜灑洒煉炼熾炽燒烧燦灿燭烛爛烂獄狱獅狮獻献瑩莹甦苏異异瘋疯癢痒皺皱盞盏矯矫碩硕磯矶禦御積积穫获窺窥籤签繞绕繪绘纏缠聳耸脈脉脹胀腎肾膽胆"
    "臟脏興兴艷艳蒼苍蓮莲蔔卜蕩荡蕪芜蘊蕴蘋苹虜虏蠟蜡蠻蛮襯衬訣诀証证詭诡誡诫誨诲誰谁譏讥豎竖豈岂貞贞貯贮貳贰貶贬買买賄贿賈贾賑赈賣卖跡迹踐践軋轧軸轴轎轿邁迈邇迩醬酱"
    "釣钓鈍钝鉤钩銅铜銘铭鋤锄錘锤鏟铲鑄铸鑿凿閏闰闔阖闕阙階阶頑顽頰颊頹颓颯飒餓饿餵喂饑饥饞馋驢驴鮑鲍鴉鸦鶴鹤鹹咸齋斋搖摇鑰钥閥阀閻阎闆板颳刮骯肮劑剂廟庙殼壳淪沦灘滩"
    "瀕濒煩烦爺爷琿珲甕瓮癥症皚皑矚瞩礙碍禪禅穢秽窯窑竄窜篩筛糞粪紋纹紳绅絞绞綢绸緯纬緻致縛缚繭茧罌罂羈羁翹翘聶聂腫肿膩腻艤舣芻刍蔥葱蔭荫蕎荞薈荟藹蔼蟻蚁裊袅褸褛覦觎"
    "詠咏誼谊諱讳諷讽謙谦謬谬譚谭讖谶貲赀賅赅贅赘趲趱踴踊蹕跸躋跻躉趸軛轭輓挽輟辍輻辐轍辙遼辽邐逦郟郏鄖郧酇酂醞酝釁衅鈣钙鈦钛鉀钾銳锐錳锰鎂镁鎢钨鎳镍鐳镭鑲镶閡阂闈闱"
    "闌阑陘陉隴陇雋隽靄霭靦腼鞏巩韃鞑頡颉頤颐頦颏顎颚顓颛顙颡饜餍馭驭馱驮馳驰駒驹駝驼騾骡驟骤鬍胡鬢鬓魘魇鯉鲤鰻鳗鱷鳄鳩鸠鴿鸽鵑鹃鶯莺鷗鸥鸚鹦麩麸黲黪黷黩鼴鼹齟龃龕龛"
    "稟禀湧涌窪洼夾夹嶽岳潰溃塢坞筧笕猻狲熒荧鎔熔鐐镣羨羡捲卷擷撷鑼锣鬨哄擲掷撐撑撲扑撻挞擄掳擰拧擱搁擻擞攏拢攙搀攢攒攣挛攪搅攬揽"
)
_T2S = {ord(_PAIRS[i]): _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}
_TRAD = frozenset(_PAIRS[0::2])
_TRAD_RX = re.compile("[" + _PAIRS[0::2] + "]")  # a character-class scan is far cheaper than a set walk


def has_traditional(text: str) -> bool:
    """Does ``text`` hold any character of the mapping (one pass, for a whole file at once)?"""
    return _TRAD_RX.search(text) is not None


def simplify(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones (same length)."""
    return text.translate(_T2S) if _TRAD_RX.search(text) else text


def reverse_map(originals: list[str]) -> dict[int, str]:
    """simplified -> the traditional character this file writes for it, from the file's own lines:
    only where the file writes the traditional form more often than the simplified one, so a
    simplified document with a stray '於' keeps its '于'. Empty when no line is traditional."""
    if not has_traditional("".join(originals)):
        return {}
    seen: Counter = Counter()
    for s in originals:
        if _TRAD_RX.search(s):
            seen.update(ch for ch in s if ch in _TRAD)
    if not seen:
        return {}
    native = Counter()
    wanted = {_T2S[ord(ch)] for ch in seen}
    for s in originals:
        native.update(ch for ch in s if ch in wanted)
    back: dict[int, str] = {}
    for ch, n in seen.most_common():
        simple = _T2S[ord(ch)]
        if n > native[simple]:
            back.setdefault(ord(simple), ch)
    return back


def restore(result, back: dict[int, str]) -> None:
    """Put the file's traditional characters back into every text the parse read (in place)."""
    if not back:
        return

    def b(s):
        return s.translate(back) if isinstance(s, str) else s

    def bl(xs):
        return [b(x) for x in xs]

    for d in result.documents:
        d.title = b(d.title)
    for t in result.tasks:
        t.plan, t.title, t.text, t.section = b(t.plan), b(t.title), b(t.text), bl(t.section)
        t.units, t.lead_units, t.persons, t.leaders = bl(t.units), bl(t.lead_units), bl(t.persons), bl(t.leaders)
        t.groups, t.unresolved, t.deadline = bl(t.groups), bl(t.unresolved), b(t.deadline)
    for g in result.targets:
        g.plan, g.indicator, g.text, g.qualifier = b(g.plan), b(g.indicator), b(g.text), b(g.qualifier)
    for c in result.cadences:
        c.plan, c.text, c.section, c.units, c.report_to = b(c.plan), b(c.text), bl(c.section), bl(c.units), b(c.report_to)
    for m in result.teams:
        m.plan, m.name, m.convener, m.office_at = b(m.plan), b(m.name), b(m.convener), b(m.office_at)
        m.deputy_conveners, m.members = bl(m.deputy_conveners), bl(m.members)
        m.roles = {b(k): bl(v) for k, v in m.roles.items()}
    result.unit_aliases = {b(k): b(v) for k, v in result.unit_aliases.items()}
