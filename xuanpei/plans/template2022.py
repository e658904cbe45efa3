"""The district's 2022 plan (区2022年应急管理宣传教育培训工作计划) as a template (issue #4 §1).

The text is the plan's own, verbatim (paragraph numbers removed; a test checks every
piece against the plan). Tasks: the nine publicity tasks of 三(一), the eight training
tasks of 三(二) — six numbered in the text, 网格员每季度培训 and 重点时段培训 from the
list of 三(二)3 (its items 三 and 四: the text says "二是" twice), 网络教育培训 from the
preamble of 三(二) — and the six requirements of 四.

What the text leaves implicit is read as follows (and can be edited after loading):
- Who: the plan's "区各级各部门" / "各单位" are 各新城 and 各行业部门; 应急管理局 (where the
  区安委办 sits) leads what the district does itself. 镇街 are not assigned:
  the new towns carry their 镇街 (the plan "指导各新城、镇街").
- When: the whole year unless the text says otherwise; quarterly for 网格员 training
  ("每季度至少…一次") and for 督导考核 ("季度通报"). The brand activities of 三(一)5 keep
  their calendar (domain.md §6) in the task's time note and in its targets: the task
  model has one timeframe per task, and 三(一)5 is one task of the plan.
- Targets: only what the text states (持证率 100%, 每季度至少一次, 制定年度计划) or
  names as something to do at least once (≥ 1; "五进" names five places, so ≥ 5);
  no invented quotas. Per responsible unit, like every target.
"""

from decimal import Decimal

from xuanpei.plans.choices import Comparator, TaskKind, Timeframe
from xuanpei.plans.template_spec import PlanTemplate, SectionSpec, TargetSpec, TaskSpec

# Unit names and group words (resolved by `unit_names.py`).
NEW_TOWNS = "各新城"
DEPARTMENTS = "各行业部门"
EMERGENCY = "应急管理局"
PROPAGANDA = "区党工委宣传部"
ORGANIZATION = "区组织部"
FIRE = "区消防救援大队"
UNIVERSITY = "西安科技大学"

ONE = Decimal("1")
FULL = Decimal("100")
PUB, TRAIN, REQ = TaskKind.PUBLICITY, TaskKind.TRAINING, TaskKind.REQUIREMENT


def at_least_once(name: str, unit_label: str = "次", *, per_period: bool = False) -> TargetSpec:
    return TargetSpec(name, ONE, unit_label, Comparator.AT_LEAST, per_period)


def full_rate(name: str) -> TargetSpec:
    return TargetSpec(name, FULL, "%", Comparator.EXACTLY)


# --------------------------------------------------------------------------- the text

PREAMBLE = (
    "为进一步加强区应急管理宣传教育培训工作，提高全民安全生产和防灾减灾意识，夯实安全生产管理基础，"
    "充分发挥新闻宣传引领导向、凝聚力量、营造氛围的推动作用，严格落实《XX区2022年应急管理工作要点》"
    "（XX咸应急发〔2022〕3号）要求，结合区工作实际，现就区2022年应急管理宣传教育培训工作计划安排如"
    "下："
)

AIMS = (
    "以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的十九届六中全会精神和习近平总书记关于"
    "应急管理工作重要论述，落实全国和全省、全市以及区党工委管委会关于应急管理工作部署，牢固树立安全"
    "生产红线意识和底线思维，坚持问题导向、目标导向和结果导向，通过开展形式多样的应急管理宣传教育培"
    "训活动，努力提升全民安全意识、安全防范能力和应急处置能力，从源头上控制和预防生产安全事故的发生"
    "，为全面完成年度防灾减灾救灾和安全生产工作各项目标任务提供良好的基础保障。"
)

GOALS = (
    "通过大力开展应急管理宣传教育培训，领导干部抓安全生产、防灾减灾救灾和应急救援管理工作的水平持续"
    "提高，行业监管责任不断夯实，企业主体责任有效落实，全社会安全生产意识全面增强，安全发展水平进一"
    "步提升，各级安全生产监管执法人员、“三项岗位”人员、从业人员安全培训全面覆盖，坚决杜绝重特大生产"
    "安全事故，防范和遏制较大生产安全事故，以优异成绩迎接党的“二十大”胜利召开。"
)

P1 = (
    "进一步学习宣传习近平总书记关于安全生产重要论述精神。始终把学习宣传贯彻习近平新时代中国特色社会"
    "主义思想置于首位、贯穿始终。制定《2022年学习宣传贯彻习近平总书记关于安全生产重要论述专题任务清"
    "单》，将宣传贯彻重要论述纳入各级党委宣传工作重点，纳入理论学习中心组和干部培训内容；通过印发宣"
    "传手册、集中培训和现场宣讲等多种方式，组织对《生命重于泰山》专题片再学习；加强正面引导，及时宣"
    "传报道各级各部门贯彻落实习近平总书记重要论述的有力措施和进展成效；结合区各级“大讲堂”活动，邀请"
    "专家学者授课，进一步学习宣传习近平总书记关于安全生产重要论述精神，深刻理解其核心要义、精神实质"
    "和实践要求｡"
)

P2 = (
    "大力宣传应急管理法律法规。着力加强安全生产、防灾减灾相关法律和应急救援管理法规宣传，重点做好新"
    "《安全生产法》《生产安全事故应急条例》等法律法规及林草地防灭火、防汛抗旱、防灾减灾救灾等内容的"
    "宣传，通过专题培训、专题解读、执法检查、媒体宣传等形式，不断传递法治理念，为安全生产和应急管理"
    "工作营造良好的法治舆论环境。"
)

P3 = (
    "持续推进全民安全宣传教育。一是常态化开展安全宣传“五进”活动，采取教育宣讲、影视宣教、网络宣教、"
    "发放应急管理和安全生产宣传资料等多种形式，扎实推进安全宣传进企业、进农村、进社区、进学校、进家"
    "庭，普及安全知识，培育安全文化，增强全民安全防范意识；二是要面向市民群众、中小学生、企业职工等"
    "重点人群，充分利用区和各新城消防科普教育馆，持续增强应急文化传播力、引导力和感染力；三是要突出"
    "特种作业人员安全宣传教育培训这个重点不放松，特种作业人员涉及工矿商贸、危险化学品、教育、卫生、"
    "体育、养老、文化旅游、道路运输、电力等各个行业领域企业或单位，危险程度高、风险因素大，区各级各"
    "部门要严格督导企业全面落实持证上岗和先培训后上岗制度，切实把好特种作业人员持证上岗关、继续教育"
    "关，确保特种作业人员依法持证率达到100%；四是持续推动其他行业领域生产经营单位应取证从业人员持证"
    "率达到100%，如特种设备从业人员、建筑施工从业人员等。"
)

P4 = (
    "加强安全生产专项整治三年行动宣传。切实做好安全生产专项整治三年行动宣传和舆论引导，营造良好的社"
    "会氛围，促进全区安全生产专项整治三年行动取得实效。结合《XX区安全生产专项整治三年行动宣传教育工"
    "作方案》（XX咸安委办发〔2020〕57号）要求，2022年，要突出工作进展、典型经验、亮点工作以及取得的"
    "成果成效的宣传。"
)

P5 = (
    "多措并举开展主题宣传教育活动。在做好疫情防控措施的前提下，丰富形式，创意创新，组织开展好全年重"
    "点安全生产宣传活动，统筹办好“全国防灾减灾日”宣传周、“安全生产月”、“119消防宣传月”、“112全国交"
    "通安全日”、《安全生产法》宣传周等品牌活动；同时，突出全国“二十大”、全国“两会”、岁末年初、复工"
    "复产、暑期、汛期、秋冬季林草地防灭火、安全生产大检查等重点活动和时段，开展专项宣传活动，把宣传"
    "贯穿于全年工作始终；在事故多发季节，针对性开展重点策划，集中组织宣传教育活动，如抓好秋冬季林草"
    "地防灭火知识主题宣传、汛期防汛知识主题宣传等；同时结合消防安全、道路交通安全、校园安全、特种设"
    "备安全、用电安全、建筑施工安全等专项整治工作，开展专题宣传活动，把宣传贯穿于整治工作始终；强化"
    "区、新城、镇街联动，建立跨部门协作，推动形成“内外互动、上下联动”的应急文化传播矩阵。"
)

P6 = (
    "持续开展国家安全发展示范城市创建宣传教育。一是通过户外广告牌和电子屏、宣传栏等载体，张贴宣传海"
    "报、播送宣传视频，把安全文化元素融入公园、街道、社区，形成关注安全的浓厚社会氛围；二是通过“两"
    "微一端”、门户网站等媒体平台，广泛转发各类推文和视频，全方位、多角度开展创建国家安全发展示范城"
    "市宣传工作，着力提高社会和全民对创建工作的知晓率、支持率和满意度，确保创建宣传工作到位。"
)

P7 = (
    "围绕中心工作，加强基层基础宣传。有效发挥安全示范企业的典型带动和引领作用，形成一批基础条件好，"
    "宣传理念强，安全氛围浓厚的示范企业；加强安全社区（村）和综合减灾示范社区创建工作宣传，及时宣传"
    "创建过程中的先进经验和典型做法，为其他社区（村）创建工作提供借鉴，进一步推动全区创建走深走实，"
    "提升基层基础。"
)

P8 = (
    "聚焦应急科普宣传。结合全国应急管理科普作品征集活动，鼓励引导社会力量参与应急管理科普宣传工作，"
    "普及与人民群众息息相关的安全生产、防灾减灾、林草地防火、地震、烟花爆竹等应急管理安全知识、应急"
    "处置和自救逃生知识，进一步提升全社会安全文明素质，努力营造“以人为本、安全发展”的社会氛围。"
)

P9 = (
    "加强突发事件信息发布和舆情应对工作。拓宽新闻媒体传播渠道，深入宣传报道国家和省委省政府、市委市"
    "政府以及区党工委管委会关于应急管理重大决策部署；进一步深化同区党工委宣传部突发事件舆情应对联络"
    "机制，建立健全工作机制，坚持及时研判、正面引导、有序管理的原则，规范生产安全事故和自然灾害舆情"
    "日常应对处置流程；加强安全生产、防灾减灾和应急救援处置先进经验、先进集体和先进个人等的宣传报道"
    "，在全社会树立“党和人民守夜人”良好新形象；做好日常监控研判，及时上报管控线索，稳妥化解舆论危机"
    "，有效预防、减少和消除突发舆情造成的负面影响；持续曝光安全生产非法违法行为，形成有力震慑。"
)

T11 = (
    "组织开展应急管理干部专题培训。加强与省内外知名高校的沟通联系，持续深化同西安科技大学进行安全教"
    "育科研战略合作，积极组织开展应急管理系统干部专题培训班，不断提升应急管理干部理论水平和专业知识"
    "，增进相互沟通交流和学习借鉴，全面提升应急管理队伍能力素质。"
)

T12 = (
    "组织开展应急管理干部行业领域专项培训。分行业分专业组织举办危险化学品及烟花爆竹、工矿商贸、防汛"
    "抗旱、地质灾害防治等应急管理人员专项培训，指导各新城、镇街应急管理人员开展相应专项培训。"
)

T13 = (
    "组织开展领导干部外出学习调研。积极联合区组织部及省内外优秀应急管理教育培训基地，组织开展区行业"
    "部门领导干部应急管理学习调研；组织区应急管理系统领导干部外出学习调研，学习借鉴其他城市应急管理"
    "工作的先进经验和好的做法，开拓工作思路，更新管理理念，进一步促进提升区应急管理工作。"
)

T21 = (
    "持续抓好“三项岗位”人员培训取证。严格落实全国和全省、全市安全培训工作各项要求，扎实开展安全生产"
    "培训“走过场”专项整治工作，严厉打击假冒特种作业人员操作证违法行为；加强对考试点、安全培训机构的"
    "监督管理，规范“三项岗位”人员考核发证工作；进一步加强对企业“三项岗位”人员培训和持证上岗监管执法"
    "力度，更加规范区“三项岗位”人员培训取证和持证上岗，确保“三项岗位”人员特种持证上岗率达到100%。"
)

T22 = (
    "以安全监管重点为导向，做好重点人员的安全培训。一是加强对企业动火作业、有限空间作业、高处作业、"
    "检修作业、外包作业等已发生生产安全事故的作业人员的安全培训工作；二是狠抓对发生生产安全事故单位"
    "主要负责人、安全管理人员和企业全员培训，督促事故单位安全措施的整改和培训工作。"
)

T33 = (
    "加强安全生产网格员业务培训，各新城每季度至少组织开展一次网格员应急管理业务能力培训，进一步提高"
    "网格员隐患排查能力和信息报送效率，切实提升基层安全水平。"
)

T34 = "突出重点时段培训工作，如复工复产培训等。"

T0 = (
    "通过业务培训，着力提升应急管理人员的业务能力，全面提高辖区企业及其从业人员的安全素质，为落实企"
    "业安全生产主体责任夯实基础。结合疫情常态化的现实考虑，鼓励开展网络教育培训。"
)

R1 = (
    "提高思想认识，加强组织领导。各单位要提高思想认识，突出应急管理宣传教育培训强基固本的作用，要层"
    "层建立安全生产宣传教育培训工作领导机制和工作协调机制，制定年度宣传教育培训计划，定期进行效果评"
    "估，督促落实工作责任。"
)

R2 = (
    "突出质量主导，提高工作水平。要力戒宣传教育培训工作中存在的形式主义，突出对象，突出重点，强化宣"
    "传教育培训实效，将安全生产宣传教育培训与安全生产专项整治三年行动和国家安全发展示范城市创建等重"
    "点工作有效结合起来，将宣传教育培训成效体现在安全生产的每一环节。"
)

R3 = (
    "及时总结提升，积极报送经验。及时总结、积极推广宣传教育培训工作中的优秀做法和成熟经验，通过主流"
    "媒体，扩大影响力和传播度；各行业部门加强与应急管理部门的沟通，通过安全生产工作联络群积极分享本"
    "部门安全生产活动组织开展情况；要认真挖掘报道宣传教育培训先进典型，特别是基层一线的先进事迹，讲"
    "好应急管理系统时代新人的感人故事，弘扬应急管理队伍勇于担当、敢于牺牲的时代精神，凝聚安全生产和"
    "应急管理事业发展力量，促进全区安全生产形势持续稳定好转。"
)

R4 = (
    "丰富宣培载体，创新宣培模式。在2022年的宣传教育培训工作中，要大胆开拓、善于突破思维定式，丰富宣"
    "传教育培训载体，加强“两微一端”、抖音等新媒体宣传，突出微视频、公益广告等的作用，同时深入挖掘特"
    "色，增强创造力，精心策划创新型宣传教育培训活动，不断打造宣传教育培训亮点，切实提升应急管理宣传"
    "水平。"
)

R5 = (
    "强化队伍建设，构建宣培大格局。健全应急管理宣传教育培训组织体系，配齐配强宣传教育培训力量，推动"
    "形成上下联动、沟通及时、信息畅通、反应迅速的新工作格局。"
)

R6 = (
    "强化督导考核，提升工作效能。区安委办将应急管理宣传教育培训工作纳入安全生产工作目标考核，进行量"
    "化统计和季度通报，各级各部门要认真贯彻落实，同时对本辖区、本行业领域内做好宣传教育培训工作开展"
    "情况做好督查检查，共同助推区应急管理宣传教育培训工作迈上新台阶。"
)

# --------------------------------------------------------------------------- the tasks

PUBLICITY = (
    TaskSpec(
        "三(一)1",
        "进一步学习宣传习近平总书记关于安全生产重要论述精神",
        PUB,
        P1,
        lead=(EMERGENCY,),
        cooperate=(DEPARTMENTS, NEW_TOWNS),
        other_units=(PROPAGANDA,),
        deliverables=(
            "《2022年学习宣传贯彻习近平总书记关于安全生产重要论述专题任务清单》；宣传手册；"
            "《生命重于泰山》专题片再学习记录；“大讲堂”专家授课记录；宣传报道"
        ),
        targets=(
            at_least_once("组织《生命重于泰山》专题片再学习"),
            at_least_once("结合“大讲堂”邀请专家学者授课"),
        ),
    ),
    TaskSpec(
        "三(一)2",
        "大力宣传应急管理法律法规",
        PUB,
        P2,
        lead=(EMERGENCY,),
        cooperate=(DEPARTMENTS, NEW_TOWNS),
        deliverables="专题培训、专题解读材料；执法检查中的普法记录；媒体宣传报道",
        targets=(at_least_once("开展法律法规专题宣传（培训、解读）"),),
    ),
    TaskSpec(
        "三(一)3",
        "持续推进全民安全宣传教育",
        PUB,
        P3,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        other_units=(FIRE,),
        deliverables=(
            "安全宣传“五进”活动记录和照片；宣传资料发放台账；消防科普教育馆参观记录；"
            "特种作业人员及其他应取证从业人员持证情况统计"
        ),
        targets=(
            TargetSpec(
                "开展安全宣传“五进”活动（进企业、农村、社区、学校、家庭）", Decimal("5"), "次"
            ),
            full_rate("特种作业人员依法持证率"),
            full_rate("其他行业领域应取证从业人员持证率"),
        ),
    ),
    TaskSpec(
        "三(一)4",
        "加强安全生产专项整治三年行动宣传",
        PUB,
        P4,
        lead=(EMERGENCY,),
        cooperate=(DEPARTMENTS, NEW_TOWNS),
        deliverables="工作进展、典型经验、亮点工作和成果成效的宣传报道",
        targets=(at_least_once("专项整治三年行动宣传报道", "篇"),),
    ),
    TaskSpec(
        "三(一)5",
        "多措并举开展主题宣传教育活动",
        PUB,
        P5,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        other_units=(FIRE,),
        timeframe_note=(
            "防灾减灾宣传周5月、安全生产月6月、119消防宣传月11月、"
            "全国交通安全日12月2日、《安全生产法》宣传周12月1日—7日"
        ),
        deliverables="各品牌活动和重点时段专项宣传的方案、照片和总结；专项整治专题宣传记录",
        targets=(
            at_least_once("“全国防灾减灾日”宣传周活动（5月）"),
            at_least_once("“安全生产月”活动（6月）"),
            at_least_once("“119消防宣传月”活动（11月）"),
            at_least_once("“全国交通安全日”宣传活动（12月2日）"),
            at_least_once("《安全生产法》宣传周活动（12月1日—7日）"),
        ),
    ),
    TaskSpec(
        "三(一)6",
        "持续开展国家安全发展示范城市创建宣传教育",
        PUB,
        P6,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        deliverables="户外广告牌、电子屏、宣传栏的海报和视频；“两微一端”、门户网站推文和视频转发记录",
    ),
    TaskSpec(
        "三(一)7",
        "围绕中心工作，加强基层基础宣传",
        PUB,
        P7,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS,),
        deliverables="安全示范企业名单和宣传材料；安全社区（村）、综合减灾示范社区创建经验和典型做法",
    ),
    TaskSpec(
        "三(一)8",
        "聚焦应急科普宣传",
        PUB,
        P8,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        deliverables="应急管理科普作品征集和报送记录；科普宣传活动记录",
        targets=(at_least_once("征集报送应急管理科普作品", "件"),),
    ),
    TaskSpec(
        "三(一)9",
        "加强突发事件信息发布和舆情应对工作",
        PUB,
        P9,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        other_units=(PROPAGANDA,),
        deliverables=(
            "突发事件舆情应对联络机制和日常应对处置流程；先进经验、先进集体和先进个人宣传报道；"
            "非法违法行为曝光记录"
        ),
    ),
)

TRAINING = (
    TaskSpec(
        "三(二)1(1)",
        "干部专题培训",
        TRAIN,
        T11,
        lead=(EMERGENCY,),
        other_units=(UNIVERSITY,),
        audience="应急管理系统干部",
        method="与高校合作举办专题培训班",
        deliverables="培训班通知、课程表、签到表和照片",
        targets=(at_least_once("举办应急管理干部专题培训班", "期"),),
    ),
    TaskSpec(
        "三(二)1(2)",
        "行业专项培训",
        TRAIN,
        T12,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS,),
        audience="危险化学品及烟花爆竹、工矿商贸、防汛抗旱、地质灾害防治等领域应急管理人员",
        method="分行业分专业专项培训",
        deliverables="各专项培训的通知、签到表和照片",
        targets=(at_least_once("举办应急管理人员专项培训"),),
    ),
    TaskSpec(
        "三(二)1(3)",
        "外出学习调研",
        TRAIN,
        T13,
        lead=(EMERGENCY,),
        cooperate=(DEPARTMENTS,),
        other_units=(ORGANIZATION,),
        audience="区行业部门领导干部；区应急管理系统领导干部",
        method="赴省内外优秀应急管理教育培训基地和先进城市学习调研",
        deliverables="学习调研方案和调研报告",
        targets=(at_least_once("组织或参加应急管理学习调研"),),
    ),
    TaskSpec(
        "三(二)2(1)",
        "三项岗位培训取证",
        TRAIN,
        T21,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS,),
        audience="企业主要负责人、安全生产管理人员和特种作业人员（“三项岗位”人员）",
        method="培训考核发证；考试点和安全培训机构监督检查；持证上岗执法检查",
        deliverables="“三项岗位”人员持证情况统计；考试点、培训机构检查记录",
        targets=(full_rate("“三项岗位”人员持证上岗率"),),
    ),
    TaskSpec(
        "三(二)2(2)",
        "重点人员培训",
        TRAIN,
        T22,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        audience=(
            "动火、有限空间、高处、检修、外包等作业人员；事故单位主要负责人、安全管理人员和全体员工"
        ),
        method="专题安全培训；督促事故单位整改和培训",
        deliverables="重点作业人员培训记录；事故单位培训和整改情况",
        targets=(full_rate("发生事故单位全员培训覆盖率"),),
    ),
    TaskSpec(
        "三(二)3(3)",
        "网格员每季度培训",
        TRAIN,
        T33,
        lead=(NEW_TOWNS,),
        timeframe=Timeframe.QUARTERLY,
        timeframe_note="每季度至少一次",
        audience="安全生产网格员",
        method="应急管理业务能力培训（隐患排查、信息报送）",
        deliverables="每季度培训通知、签到表和照片",
        targets=(at_least_once("网格员应急管理业务能力培训", per_period=True),),
    ),
    TaskSpec(
        "三(二)3(4)",
        "重点时段培训",
        TRAIN,
        T34,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        timeframe_note="复工复产等重点时段",
        audience="复工复产等重点时段的企业负责人和从业人员",
        method="重点时段专题培训",
        deliverables="重点时段培训通知、签到表和照片",
        targets=(at_least_once("开展重点时段专题培训"),),
    ),
    TaskSpec(
        "三(二)",
        "网络教育培训",
        TRAIN,
        T0,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        audience="应急管理人员、企业及其从业人员",
        method="网络教育培训（线上课程、直播）",
        deliverables="网络培训平台课程和参训记录",
    ),
)

REQUIREMENTS = (
    TaskSpec(
        "四(一)",
        "组织领导与年度计划",
        REQ,
        R1,
        lead=(NEW_TOWNS, DEPARTMENTS),
        deliverables="宣传教育培训领导机制和协调机制文件；本单位年度宣传教育培训计划（在平台提交）",
        targets=(
            TargetSpec("制定本单位年度宣传教育培训计划", ONE, "份", Comparator.EXACTLY),
            at_least_once("开展宣传教育培训效果评估"),
        ),
    ),
    TaskSpec(
        "四(二)",
        "质量与效果评估",
        REQ,
        R2,
        lead=(NEW_TOWNS, DEPARTMENTS),
        deliverables="宣传教育培训与专项整治三年行动、示范城市创建相结合的做法和成效",
    ),
    TaskSpec(
        "四(三)",
        "经验报送",
        REQ,
        R3,
        lead=(NEW_TOWNS, DEPARTMENTS),
        deliverables="优秀做法和成熟经验材料；先进典型报道",
        targets=(at_least_once("报送优秀做法、典型经验", "篇"),),
    ),
    TaskSpec(
        "四(四)",
        "新媒体载体",
        REQ,
        R4,
        lead=(NEW_TOWNS, DEPARTMENTS),
        deliverables="“两微一端”、抖音等新媒体宣传作品；微视频、公益广告",
        targets=(at_least_once("新媒体宣传作品（微视频、公益广告等）", "件"),),
    ),
    TaskSpec(
        "四(五)",
        "队伍建设",
        REQ,
        R5,
        lead=(NEW_TOWNS, DEPARTMENTS),
        deliverables="宣传教育培训组织体系和人员名单",
    ),
    TaskSpec(
        "四(六)",
        "督导考核",
        REQ,
        R6,
        lead=(EMERGENCY,),
        cooperate=(NEW_TOWNS, DEPARTMENTS),
        timeframe=Timeframe.QUARTERLY,
        timeframe_note="量化统计和季度通报",
        deliverables="季度量化统计和通报（应急管理局）；本辖区、本行业领域督查检查记录",
        targets=(at_least_once("季度通报或督查检查", per_period=True),),
    ),
)

SECTIONS = (
    SectionSpec("一、", "总体思路", AIMS),
    SectionSpec("二、", "总体目标", GOALS),
    SectionSpec("三、", "工作安排"),
    SectionSpec(
        "四、",
        "相关要求",
        "\n".join(
            f"（{n}）{text}"
            for n, text in zip("一二三四五六", (R1, R2, R3, R4, R5, R6), strict=True)
        ),
    ),
)

PLAN_2022 = PlanTemplate(
    year=2022,
    title="{district}2022年应急管理宣传教育培训工作计划",
    preamble=PREAMBLE,
    sections=SECTIONS,
    tasks=PUBLICITY + TRAINING + REQUIREMENTS,
)
