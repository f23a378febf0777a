"""Varied Chinese proposal text for the evaluation tests and benchmark: sentences built from a
property-service vocabulary with a seeded random generator, so every bid reads differently."""

from __future__ import annotations

import random

SUBJECTS = ("本项目", "物业服务中心", "项目经理", "客服团队", "秩序维护部", "环境管理部", "工程维修部", "管理处",
            "我司", "服务团队", "值班人员", "保洁班组", "绿化养护组", "设备管理员", "安全主管", "业主委员会",
            "品质督导组", "综合管理部", "项目负责人", "夜间巡逻岗")
VERBS = ("负责", "落实", "定期检查", "统筹安排", "持续改进", "严格执行", "组织开展", "全面推进", "及时处理", "加强",
         "规范", "优化", "建立健全", "动态跟踪", "按月评估", "认真做好", "重点保障", "协调推进", "分级管理", "实时监测")
OBJECTS = ("公共区域保洁", "绿化养护计划", "消防设施巡检", "电梯维保记录", "二次供水清洗", "车辆停放秩序",
           "业主报修响应", "垃圾分类投放", "楼道照明维护", "化粪池清掏", "外墙清洗方案", "雨污管道疏通",
           "监控系统运行", "门岗出入登记", "装修巡查", "空置房管理", "公共收益公示", "满意度调查",
           "应急预案演练", "节能降耗措施", "档案资料管理", "智能门禁升级", "高空抛物防范", "台风暴雨防汛",
           "冬季防冻保温", "泵房设备保养", "配电房值守", "地下车库照明", "健身器材检修", "儿童游乐设施安全")
ADVERBIALS = ("每日两次", "每周一次", "按季度", "全天候", "在接报后三十分钟内", "于每月五日前", "节假日期间",
              "在雨季来临前", "结合小区实际", "依照合同约定", "参照上海市住宅物业服务标准", "采用信息化手段",
              "以业主满意为目标", "在保修期内", "经业主大会同意后", "通过公示栏和线上平台", "会同专业单位",
              "按照国家规范", "在交接查验阶段", "以台账形式")
RESULTS = ("确保服务质量稳定提升", "做到问题闭环管理", "保障业主生命财产安全", "降低运行能耗", "提高响应效率",
           "形成可追溯的记录", "营造整洁有序的居住环境", "减少投诉发生", "延长设备使用寿命", "实现精细化管理",
           "接受业主监督", "确保符合标准要求", "防止安全事故发生", "提升小区整体品质", "做到账目公开透明")
HEADINGS = ("项目理解", "组织架构与人员配置", "客户服务方案", "秩序维护方案", "保洁服务方案", "绿化养护方案",
            "设施设备管理方案", "前期介入与承接查验", "应急预案", "节能与智慧服务", "管理制度与档案", "服务承诺与考核指标")


FIGURES = ("配备{n}名专职人员", "覆盖{n}个单元", "累计{n}平方米", "设置{n}处监控点位", "储备{n}套应急物资",
           "按{n}%的比例抽查", "每{n}小时巡查一次", "安排{n}个班次", "更换{n}只照明灯具", "培训{n}课时")


def sentence(rng: random.Random) -> str:
    parts = [rng.choice(ADVERBIALS), "，", rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    if rng.random() < 0.5:
        parts += ["，", rng.choice(FIGURES).format(n=rng.randint(2, 480))]
    if rng.random() < 0.6:
        parts += ["和", rng.choice(OBJECTS)]
    parts += ["，", rng.choice(RESULTS)]
    if rng.random() < 0.3:
        parts += ["，并", rng.choice(VERBS), rng.choice(OBJECTS)]
    return "".join(parts) + "。"


def page(rng: random.Random, number: int, sentences: int = 18) -> str:
    heading = f"第{number}页  {HEADINGS[number % len(HEADINGS)]}"
    return heading + "\n" + "\n".join(sentence(rng) for _ in range(sentences))


def proposal(seed: int, pages: int, sentences: int = 18) -> list[str]:
    rng = random.Random(seed)
    return [page(rng, n, sentences) for n in range(1, pages + 1)]


def near_copy(pages: list[str], seed: int, changed: float = 0.15) -> list[str]:
    """The same proposal with a share of its sentences rewritten (a reworded copy)."""
    rng = random.Random(seed)
    out = []
    for text in pages:
        lines = text.split("\n")
        out.append("\n".join(lines[:1] + [sentence(rng) if rng.random() < changed else line for line in lines[1:]]))
    return out
